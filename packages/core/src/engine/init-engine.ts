import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as fs from 'fs';
import { EngineError, messageOf } from '../errors';
import {
  ENGINE_ENV_VAR,
  ENGINE_NAMES,
  type EngineName,
  type EngineRequest,
  parseEngineRequest,
} from './engine-name';
import { isModuleNotInstalled, type ModuleLoader, requireModule } from './module-loader';
import {
  disableNativeKernels,
  enableNativeKernels,
  type EngineNativeKernels,
  NATIVE_KERNELS_ENV_VAR,
} from './native-kernels';
import { loadOneDnnAddon } from './onednn-addon';
import { wasmBinaryDirectory } from './wasm-binaries';
import {
  planWasmThreads,
  type WasmThreadPlan,
  type WasmThreadsRequest,
} from './wasm-thread-request';
import { startThreadedWasm, threadedStartBlocker, wasmNodeBundlePath } from './wasm-threaded-start';
import { registerWasmSliceFromHeap } from './wasm-slice-kernel';
import { registerWasmTrainingKernels } from './wasm-training-kernels';

/** What happened when one engine was tried. */
export interface EngineAttempt {
  /** The engine tried. */
  readonly engine: EngineName;
  /**
   * `'chosen'`: it runs now; `'not-installed'`: its package is absent; `'failed'`: it is installed
   * (or built in) but could not be started.
   */
  readonly outcome: 'chosen' | 'not-installed' | 'failed';
  /** Human-readable detail (the package loaded, or why it could not be used). */
  readonly detail: string;
}

/** How many threads the engine computes on, and why. */
export interface EngineThreads {
  /**
   * Threads the engine computes on; `null` for the native engines, where TensorFlow sizes its own
   * thread pools.
   */
  readonly count: number | null;
  /** Why this many (and, when fewer than asked for, why the rest could not be used). */
  readonly reason: string;
}

/** The engine @rlrp/core runs on, and why. */
export interface EngineInfo {
  /** The engine chosen. */
  readonly name: EngineName;
  /** The tfjs backend it registers (`tf.getBackend()`): `'tensorflow'`, `'wasm'` or `'cpu'`. */
  readonly backend: string;
  /** Why this engine was chosen, in one sentence. */
  readonly reason: string;
  /** Every engine tried, in order, the chosen one last. */
  readonly candidatesTried: readonly EngineAttempt[];
  /** Threads used and why. */
  readonly threads: EngineThreads;
  /** Whether the kernels only training needs are registered (option `training`). */
  readonly training: boolean;
  /** Whether the wasm engine's convolutions and matrix products run natively (oneDNN), and why. */
  readonly nativeKernels: EngineNativeKernels;
}

/** Options of {@link initEngine}. */
export interface InitEngineOptions {
  /**
   * Engine to use; `'auto'` picks the fastest that loads (tensorflow-gpu > tensorflow > wasm >
   * cpu). Default: the `RLRP_ENGINE` environment variable, else `'auto'`. This option beats the
   * environment variable.
   */
  readonly engine?: EngineRequest;
  /**
   * Threads for the wasm engine: a count, or `'auto'` (one per logical core, at most 8; one inside
   * a Jest worker). Default: the `RLRP_WASM_THREADS` environment variable, else `'auto'`. More than
   * one starts tfjs-backend-wasm's threaded build, which Node does not get by default; when that
   * cannot start, the engine runs on one thread and {@link EngineInfo.threads} says why. The count
   * is fixed when the wasm engine first starts in a process. On a machine busy with other
   * processes, one thread can be faster.
   */
  readonly threads?: WasmThreadsRequest;
  /**
   * Also register the kernels only training needs and the engine lacks (wasm:
   * `Conv2DBackpropFilter`, so that `model.fit` works on convolutional models). Default `false`:
   * explanations never need them.
   */
  readonly training?: boolean;
  /**
   * Run the wasm engine's convolutions and matrix products natively on oneDNN (Debian's libdnnl,
   * built into `packages/core/native` by `npm run build`), 3–4× faster than wasm's own on large
   * layers; the rest stays on wasm. Default: `true` unless the `RLRP_NATIVE_KERNELS` environment
   * variable is `0`. When the native code is not built or does not load, wasm's own kernels run
   * and {@link EngineInfo.nativeKernels} says why. Each native kernel computes on as many threads
   * as {@link InitEngineOptions.threads} asks for.
   */
  readonly nativeKernels?: boolean;
  /**
   * Environment to read `RLRP_ENGINE`, `RLRP_WASM_THREADS`, `RLRP_NATIVE_KERNELS` and
   * `JEST_WORKER_ID` from; default `process.env`.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Loads the optional native packages by id; default Node's `require`. Supply your own when a
   * bundler hides `require`, or to test the selection logic.
   */
  readonly loadModule?: ModuleLoader;
}

/** The tfjs backend name both native packages register. */
const NATIVE_BACKEND = 'tensorflow';

const NATIVE_PACKAGES: Readonly<Record<'tensorflow-gpu' | 'tensorflow', string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

const AUTO_ORDER: readonly EngineName[] = ENGINE_NAMES;

/** Everything a call asks for; two calls with equal keys get the same answer. */
interface ChoiceKey {
  readonly request: EngineRequest;
  readonly loader: ModuleLoader;
  readonly threads: WasmThreadPlan;
  readonly training: boolean;
  readonly nativeKernels: { readonly wanted: boolean; readonly source: string };
}

interface CachedChoice extends ChoiceKey {
  readonly info: EngineInfo;
}

let lastChoice: CachedChoice | undefined;
let pendingChoice: (ChoiceKey & { readonly promise: Promise<EngineInfo> }) | undefined;

function sameKey(a: ChoiceKey, b: ChoiceKey): boolean {
  return (
    a.request === b.request &&
    a.loader === b.loader &&
    a.threads.threads === b.threads.threads &&
    a.training === b.training &&
    a.nativeKernels.wanted === b.nativeKernels.wanted
  );
}

/**
 * Chooses and starts the tfjs engine: `@tensorflow/tfjs-node-gpu` > `@tensorflow/tfjs-node` >
 * wasm > cpu. The native packages are optional peer dependencies loaded only here; wasm binaries
 * come from the installed `@tensorflow/tfjs-backend-wasm` package (never a CDN). The wasm engine
 * runs on as many threads as the `threads` option asks for (default one per core), falling back
 * to one thread with the reason in {@link EngineInfo.threads}.
 *
 * Idempotent: calling it again with the same request returns the same answer without restarting
 * anything; a different request switches the engine.
 *
 * @example
 * ```ts
 * const engine = await initEngine();            // or { engine: 'wasm', threads: 2 }, or RLRP_ENGINE=wasm
 * console.log(engine.name, engine.reason, engine.threads.count, engine.threads.reason);
 * ```
 * @throws EngineError when a specific engine was requested and cannot be started (with the
 *   command that installs it), or when the engine name or thread count is not valid.
 */
export function initEngine(options: InitEngineOptions = {}): Promise<EngineInfo> {
  let key: ChoiceKey;
  let source: string;
  try {
    const resolved = resolveRequest(options);
    const env = options.env ?? process.env;
    source = resolved.source;
    key = {
      request: resolved.request,
      loader: options.loadModule ?? requireModule,
      threads: planWasmThreads(options.threads, env),
      training: options.training === true,
      nativeKernels: nativeKernelsWanted(options.nativeKernels, env),
    };
  } catch (error) {
    return Promise.reject(error);
  }
  if (pendingChoice && sameKey(pendingChoice, key)) return pendingChoice.promise;
  if (lastChoice && sameKey(lastChoice, key) && tf.getBackend() === lastChoice.info.backend) {
    return Promise.resolve(lastChoice.info);
  }
  const promise = chooseEngine(key, source).then(
    (info) => {
      lastChoice = { ...key, info };
      pendingChoice = undefined;
      return info;
    },
    (error: unknown) => {
      pendingChoice = undefined;
      throw error;
    },
  );
  pendingChoice = { ...key, promise };
  return promise;
}

/**
 * The engine {@link initEngine} chose, or `undefined` when it has not run yet or the tfjs backend
 * was switched since (e.g. by a direct `tf.setBackend`).
 */
export function currentEngine(): EngineInfo | undefined {
  if (lastChoice && tf.getBackend() === lastChoice.info.backend) return lastChoice.info;
  return undefined;
}

function resolveRequest(options: InitEngineOptions): { request: EngineRequest; source: string } {
  if (options.engine !== undefined) {
    return {
      request: parseEngineRequest(options.engine, 'option "engine"'),
      source: 'option "engine"',
    };
  }
  const fromEnv = (options.env ?? process.env)[ENGINE_ENV_VAR];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    const source = `environment variable ${ENGINE_ENV_VAR}`;
    return { request: parseEngineRequest(fromEnv, source), source };
  }
  return { request: 'auto', source: 'default' };
}

async function chooseEngine(key: ChoiceKey, source: string): Promise<EngineInfo> {
  const { request, loader } = key;
  const candidates = request === 'auto' ? AUTO_ORDER : [request];
  const tried: EngineAttempt[] = [];
  for (const engine of candidates) {
    const attempt = await tryEngine(engine, loader, key.threads, key.nativeKernels.wanted);
    tried.push(attempt);
    if (attempt.outcome === 'chosen') {
      const backend = tf.getBackend();
      if (backend === 'wasm') registerWasmSliceFromHeap();
      if (key.training && backend === 'wasm') registerWasmTrainingKernels();
      return {
        name: engine,
        backend,
        reason: explainChoice(request, source, tried),
        candidatesTried: tried,
        threads: threadsOf(engine, key.threads),
        training: key.training,
        nativeKernels: nativeKernelsOf(backend, key),
      };
    }
    if (request !== 'auto') throw requestFailed(attempt, source);
  }
  throw new EngineError(
    `No tfjs engine could be started: ${tried.map((a) => `${a.engine} (${a.detail})`).join('; ')}.`,
  );
}

async function tryEngine(
  engine: EngineName,
  loader: ModuleLoader,
  threads: WasmThreadPlan,
  nativeKernelsWanted: boolean,
): Promise<EngineAttempt> {
  try {
    switch (engine) {
      case 'tensorflow-gpu':
      case 'tensorflow':
        return await startNative(engine, loader);
      case 'wasm':
        return await startWasm(threads, nativeKernelsWanted);
      case 'cpu':
        return await startBackend('cpu', 'the plain JavaScript backend of @tensorflow/tfjs');
    }
  } catch (error) {
    return { engine, outcome: 'failed', detail: messageOf(error) };
  }
}

async function startNative(
  engine: 'tensorflow-gpu' | 'tensorflow',
  loader: ModuleLoader,
): Promise<EngineAttempt> {
  const moduleId = NATIVE_PACKAGES[engine];
  try {
    loader(moduleId);
  } catch (error) {
    if (isModuleNotInstalled(error, moduleId)) {
      return { engine, outcome: 'not-installed', detail: `${moduleId} is not installed` };
    }
    return {
      engine,
      outcome: 'failed',
      detail: `${moduleId} is installed but failed to load: ${messageOf(error)}`,
    };
  }
  // The package registers its backend with the copy of tfjs-core it resolves; when that is not
  // our copy (version mismatch), our tfjs never sees it.
  if (!hasBackendFactory(NATIVE_BACKEND)) {
    return {
      engine,
      outcome: 'failed',
      detail:
        `${moduleId} loaded but did not register the "${NATIVE_BACKEND}" backend with this copy of ` +
        `@tensorflow/tfjs (${tf.version_core}); install the same version of both`,
    };
  }
  const attempt = await startBackend(NATIVE_BACKEND, `native TensorFlow via ${moduleId}`);
  return { ...attempt, engine };
}

/** How the wasm engine was started in this process: its thread count is fixed from then on. */
let wasmStart: { readonly asked: number; readonly reason: string } | undefined;

async function startWasm(
  plan: WasmThreadPlan,
  nativeKernelsWanted: boolean,
): Promise<EngineAttempt> {
  // setWasmPaths and the thread count must precede the backend's first initialisation; once
  // initialised (for example by an earlier call, or a test setup) they are fixed and the backend
  // is simply reused.
  const alreadyInitialised = 'wasm' in tf.engine().registry;
  if (alreadyInitialised) {
    const attempt = await startBackend('wasm', 'the already initialised wasm backend');
    return { ...attempt, engine: 'wasm' };
  }
  const directory = wasmBinaryDirectory();
  setWasmPaths(directory);
  const description = `wasm binaries from ${directory}`;
  let fallback: string | undefined;
  // With native kernels, the cores are theirs: a second wasm thread competes with oneDNN's for them
  // (ResNet-50 explained in 419 ms with 2 + 2 threads, 278 ms with 1 wasm + 2 native).
  const nativeTakesCores = plan.threads > 1 && nativeKernelsWanted && loadOneDnnAddon().addon;
  if (nativeTakesCores) {
    fallback = `the native kernels compute on the ${plan.threads} threads and wasm's own would compete with them`;
  } else if (plan.threads > 1) {
    const bundle = fs.readFileSync(wasmNodeBundlePath(), 'utf8');
    fallback = threadedStartBlocker(bundle);
    if (fallback === undefined) {
      const threaded = await startThreadedWasm(plan.threads, bundle);
      if (threaded.started) {
        wasmStart = { asked: plan.threads, reason: plan.reason };
        return { engine: 'wasm', outcome: 'chosen', detail: description };
      }
      fallback = `the threaded build failed to start (${threaded.failure ?? 'no reason given'})`;
    }
  }
  // The single-threaded SIMD build: tfjs' own choice in Node.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setThreadsCount(1);
  const attempt = await startBackend('wasm', description);
  wasmStart = {
    asked: plan.threads,
    reason:
      fallback === undefined
        ? plan.reason
        : `${plan.threads} asked for (${plan.reason}), but ${fallback}; running on one thread`,
  };
  return { ...attempt, engine: 'wasm' };
}

function nativeKernelsWanted(
  option: boolean | undefined,
  env: Readonly<Record<string, string | undefined>>,
): ChoiceKey['nativeKernels'] {
  if (option !== undefined) return { wanted: option, source: 'option "nativeKernels"' };
  const fromEnv = env[NATIVE_KERNELS_ENV_VAR]?.trim();
  if (fromEnv === undefined || fromEnv === '') return { wanted: true, source: 'default' };
  if (fromEnv === '0' || fromEnv === '1') {
    return {
      wanted: fromEnv === '1',
      source: `environment variable ${NATIVE_KERNELS_ENV_VAR}`,
    };
  }
  throw new EngineError(
    `Invalid ${NATIVE_KERNELS_ENV_VAR}="${fromEnv}": give 1 to run convolutions natively ` +
      "when they are built (the default) or 0 for the wasm engine's own.",
  );
}

/** Turns the native kernels on or off for the chosen backend, and says which and why. */
function nativeKernelsOf(backend: string, key: ChoiceKey): EngineNativeKernels {
  if (backend !== 'wasm') {
    return disableNativeKernels(
      `the ${backend} backend runs its own kernels (the native ones serve the wasm engine)`,
    );
  }
  if (!key.nativeKernels.wanted) {
    return disableNativeKernels(`wasm's own kernels, as asked by ${key.nativeKernels.source}`);
  }
  return enableNativeKernels(key.threads.threads);
}

/** The threads the chosen engine computes on, and why. */
function threadsOf(engine: EngineName, plan: WasmThreadPlan): EngineThreads {
  switch (engine) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      return { count: null, reason: 'native TensorFlow sizes its own thread pools' };
    case 'cpu':
      return { count: 1, reason: 'the plain JavaScript backend computes on the main thread' };
    case 'wasm': {
      const count = getThreadsCount();
      if (!wasmStart) {
        return { count, reason: 'the wasm engine was started outside initEngine' };
      }
      const fixed =
        plan.threads !== wasmStart.asked
          ? `; ${plan.threads} asked for now (${plan.reason}), but the count is fixed when the ` +
            'wasm engine first starts in a process'
          : '';
      return { count, reason: wasmStart.reason + fixed };
    }
  }
}

async function startBackend(backend: string, description: string): Promise<EngineAttempt> {
  const engine = backend === NATIVE_BACKEND ? 'tensorflow' : (backend as EngineName);
  const started = await tf.setBackend(backend);
  if (!started) return { engine, outcome: 'failed', detail: `tf.setBackend('${backend}') failed` };
  await tf.ready();
  return { engine, outcome: 'chosen', detail: description };
}

function hasBackendFactory(name: string): boolean {
  try {
    return tf.findBackendFactory(name) != null;
  } catch {
    return false;
  }
}

function explainChoice(
  request: EngineRequest,
  source: string,
  tried: readonly EngineAttempt[],
): string {
  const chosen = tried[tried.length - 1];
  if (request !== 'auto') return `${chosen.engine} requested by ${source}: ${chosen.detail}.`;
  const skipped = tried.slice(0, -1).map((a) => `${a.engine}: ${a.detail}`);
  return (
    `automatic choice (fastest engine that starts): ${chosen.detail}` +
    (skipped.length > 0 ? `; skipped ${skipped.join('; ')}` : '') +
    '.'
  );
}

function requestFailed(attempt: EngineAttempt, source: string): EngineError {
  const alternatives = `Or choose another engine (${['auto', ...ENGINE_NAMES].join(', ')}) with the engine option or ${ENGINE_ENV_VAR}.`;
  if (attempt.engine === 'tensorflow-gpu' || attempt.engine === 'tensorflow') {
    const moduleId = NATIVE_PACKAGES[attempt.engine];
    const install = `npm install ${moduleId}@${tf.version_core}`;
    const needs =
      attempt.engine === 'tensorflow-gpu'
        ? ' (it downloads libtensorflow with CUDA at install time and needs an NVIDIA GPU with the CUDA and cuDNN versions its README lists)'
        : ' (it downloads libtensorflow at install time)';
    const fix =
      attempt.outcome === 'not-installed'
        ? `Install it with \`${install}\`${needs}.`
        : `Reinstall it with \`${install}\`${needs}.`;
    return new EngineError(
      `Engine "${attempt.engine}" was requested by ${source}, but ${attempt.detail}. ${fix} ${alternatives}`,
    );
  }
  return new EngineError(
    `Engine "${attempt.engine}" was requested by ${source}, but it could not be started: ${attempt.detail}. ` +
      `Reinstall @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm (npm ci). ${alternatives}`,
  );
}
