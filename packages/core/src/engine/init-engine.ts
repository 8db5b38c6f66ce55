import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { EngineError } from '../errors';
import {
  ENGINE_ENV_VAR,
  ENGINE_NAMES,
  type EngineName,
  type EngineRequest,
  parseEngineRequest,
} from './engine-name';
import { isModuleNotInstalled, type ModuleLoader, requireModule } from './module-loader';
import { wasmBinaryDirectory } from './wasm-binaries';

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
}

/** Options of {@link initEngine}. */
export interface InitEngineOptions {
  /**
   * Engine to use; `'auto'` picks the fastest that loads (tensorflow-gpu > tensorflow > wasm >
   * cpu). Default: the `RLRP_ENGINE` environment variable, else `'auto'`. This option beats the
   * environment variable.
   */
  readonly engine?: EngineRequest;
  /** Environment to read `RLRP_ENGINE` from; default `process.env`. */
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

interface CachedChoice {
  readonly request: EngineRequest;
  readonly loader: ModuleLoader;
  readonly info: EngineInfo;
}

let lastChoice: CachedChoice | undefined;
let pendingChoice:
  | {
      readonly request: EngineRequest;
      readonly loader: ModuleLoader;
      readonly promise: Promise<EngineInfo>;
    }
  | undefined;

/**
 * Chooses and starts the tfjs engine: `@tensorflow/tfjs-node-gpu` > `@tensorflow/tfjs-node` >
 * wasm > cpu. The native packages are optional peer dependencies loaded only here; wasm binaries
 * come from the installed `@tensorflow/tfjs-backend-wasm` package (never a CDN).
 *
 * Idempotent: calling it again with the same request returns the same answer without restarting
 * anything; a different request switches the engine.
 *
 * @example
 * ```ts
 * const engine = await initEngine();            // or { engine: 'wasm' }, or RLRP_ENGINE=wasm
 * console.log(engine.name, engine.reason);
 * ```
 * @throws EngineError when a specific engine was requested and cannot be started (with the
 *   command that installs it), or when the engine name is not valid (listing the valid ones).
 */
export function initEngine(options: InitEngineOptions = {}): Promise<EngineInfo> {
  let request: EngineRequest;
  let source: string;
  try {
    ({ request, source } = resolveRequest(options));
  } catch (error) {
    return Promise.reject(error);
  }
  const loader = options.loadModule ?? requireModule;
  if (pendingChoice && pendingChoice.request === request && pendingChoice.loader === loader) {
    return pendingChoice.promise;
  }
  if (
    lastChoice &&
    lastChoice.request === request &&
    lastChoice.loader === loader &&
    tf.getBackend() === lastChoice.info.backend
  ) {
    return Promise.resolve(lastChoice.info);
  }
  const promise = chooseEngine(request, source, loader).then(
    (info) => {
      lastChoice = { request, loader, info };
      pendingChoice = undefined;
      return info;
    },
    (error: unknown) => {
      pendingChoice = undefined;
      throw error;
    },
  );
  pendingChoice = { request, loader, promise };
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

async function chooseEngine(
  request: EngineRequest,
  source: string,
  loader: ModuleLoader,
): Promise<EngineInfo> {
  const candidates = request === 'auto' ? AUTO_ORDER : [request];
  const tried: EngineAttempt[] = [];
  for (const engine of candidates) {
    const attempt = await tryEngine(engine, loader);
    tried.push(attempt);
    if (attempt.outcome === 'chosen') {
      return {
        name: engine,
        backend: tf.getBackend(),
        reason: explainChoice(request, source, tried),
        candidatesTried: tried,
      };
    }
    if (request !== 'auto') throw requestFailed(attempt, source);
  }
  throw new EngineError(
    `No tfjs engine could be started: ${tried.map((a) => `${a.engine} (${a.detail})`).join('; ')}.`,
  );
}

async function tryEngine(engine: EngineName, loader: ModuleLoader): Promise<EngineAttempt> {
  try {
    switch (engine) {
      case 'tensorflow-gpu':
      case 'tensorflow':
        return await startNative(engine, loader);
      case 'wasm':
        return await startWasm();
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

async function startWasm(): Promise<EngineAttempt> {
  // setWasmPaths must precede the backend's first initialisation; once initialised (for example by
  // an earlier call, or a test setup) the paths are fixed and the backend is simply reused.
  const alreadyInitialised = 'wasm' in tf.engine().registry;
  const directory = wasmBinaryDirectory();
  if (!alreadyInitialised) setWasmPaths(directory);
  const attempt = await startBackend(
    'wasm',
    alreadyInitialised ? 'the already initialised wasm backend' : `wasm binaries from ${directory}`,
  );
  return { ...attempt, engine: 'wasm' };
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
