/*
 * Starting tfjs-backend-wasm's threaded build in Node.
 *
 * The package ships a threaded SIMD build, but four things in its own code keep it off in Node
 * (facts of 4.22.0, the pinned version; tfjs issue 3830):
 * 1. its WASM_HAS_MULTITHREAD_SUPPORT flag answers false whenever IS_NODE;
 * 2. the Emscripten worker script and the main script are handed to worker_threads as `blob:` URLs,
 *    which Node's Worker and fs cannot open. Written to temporary files they load; the main script
 *    is a function's source cut out of the Node bundle, so it needs the bundle's module aliases
 *    (`require$$0 = require('fs')`, …) and `commonjsGlobal` defined in front of it;
 * 3. the C++ side caps the thread pool at half the logical core count, taken from `os.cpus()` in
 *    Node: on 2 vCPUs a request for 2 threads is silently cut to 1;
 * 4. the pool's running threads keep Node alive at exit.
 * Each is undone for the engine's start-up only: the flag is set, the global `Blob` and
 * `URL.createObjectURL` are wrapped so that the two scripts become files, `os.cpus()` reports enough
 * cores, and afterwards every global is restored, the pool's idle workers are ended and its
 * running ones unref'd.
 * `threadedStartBlocker` checks every fact the patch relies on first, so that another tfjs version
 * falls back to one thread with a reason instead of failing.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { setThreadsCount, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import * as fs from 'fs';
import * as path from 'path';
// The real module object: `import * as` would give a copy under esModuleInterop, and the patch of
// `os.cpus` must be seen by the wasm bundle's own `require('os')`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import os = require('os');
import { messageOf } from '../errors';

/** The tfjs-backend-wasm version whose Node bundle this patch was written against and tested with. */
export const THREADED_PATCH_WASM_VERSION = '4.22.0';

const FLAG = 'WASM_HAS_MULTITHREAD_SUPPORT';
/** The start of the main script's Blob: the threaded factory's source. */
const MAIN_SCRIPT_MARKER = 'var WasmBackendModuleThreadedSimd = ';
/** In the worker script: where it decides how to load the main script (string = a file path). */
const WORKER_LOAD_BRANCH = 'if(typeof e.data.urlOrBlob=="string")';
/** The same text as it appears in the bundle, inside a double-quoted JS string literal. */
const WORKER_LOAD_BRANCH_IN_BUNDLE = WORKER_LOAD_BRANCH.replace(/"/g, '\\"');
const ALIAS_LINE = /^var (require\$\$\d+) = require\('([^']+)'\);$/gm;
const GLOBAL_ALIAS_LINE = /^var commonjsGlobal = .*;$/m;

/** Path of the Node bundle that `require('@tensorflow/tfjs-backend-wasm')` loads. */
export function wasmNodeBundlePath(): string {
  return require.resolve('@tensorflow/tfjs-backend-wasm');
}

/**
 * The module aliases the threaded factory's source refers to, as JavaScript to put in front of it.
 *
 * @param bundle - the text of the Node bundle.
 * @returns the prelude, or a reason why it cannot be built from this bundle.
 */
export function mainScriptPrelude(bundle: string): { prelude: string } | { blocker: string } {
  const aliases = new Map<string, string>();
  for (const [, name, moduleId] of bundle.matchAll(ALIAS_LINE)) aliases.set(name, moduleId);
  const used = new Set(bundle.match(/require\$\$\d+/g) ?? []);
  const missing = [...used].filter((name) => !aliases.has(name));
  if (missing.length > 0) {
    return { blocker: `the bundle uses module aliases it does not define (${missing.join(', ')})` };
  }
  const globalAlias = GLOBAL_ALIAS_LINE.exec(bundle);
  if (!globalAlias) return { blocker: 'the bundle defines no commonjsGlobal' };
  const lines = [...aliases].map(([name, id]) => `var ${name} = require(${JSON.stringify(id)});`);
  return { prelude: [...lines, globalAlias[0], ''].join('\n') };
}

/**
 * Why the threaded build cannot be started here, or `undefined` when every fact the patch relies
 * on holds.
 *
 * @param bundle - the text of the Node bundle (a parameter so that tests can hand in altered ones).
 * @param version - the installed tfjs-backend-wasm version.
 */
export function threadedStartBlocker(
  bundle: string,
  version: string = version_wasm,
): string | undefined {
  if (version !== THREADED_PATCH_WASM_VERSION) {
    return (
      `@tensorflow/tfjs-backend-wasm is ${version}, but the Node patch for its threaded build was ` +
      `written for ${THREADED_PATCH_WASM_VERSION}`
    );
  }
  if (typeof SharedArrayBuffer !== 'function') return 'SharedArrayBuffer is not available';
  try {
    new (globalThis as unknown as WebAssemblyMemoryApi).WebAssembly.Memory({
      initial: 1,
      maximum: 1,
      shared: true,
    });
  } catch {
    return 'this Node cannot create shared WebAssembly memory';
  }
  if (!bundle.includes(`registerFlag('${FLAG}'`)) return `the bundle has no ${FLAG} flag`;
  if (!bundle.includes(`new Blob(["${MAIN_SCRIPT_MARKER.trim()}`)) {
    return 'the bundle does not hand the main script over as a Blob any more';
  }
  if (!bundle.includes(WORKER_LOAD_BRANCH_IN_BUNDLE)) {
    return 'the worker script does not load the main script the way the patch expects';
  }
  const prelude = mainScriptPrelude(bundle);
  return 'blocker' in prelude ? prelude.blocker : undefined;
}

/** The one WebAssembly constructor used here (the DOM typings are not part of this build). */
interface WebAssemblyMemoryApi {
  readonly WebAssembly: {
    readonly Memory: new (descriptor: {
      initial: number;
      maximum: number;
      shared: boolean;
    }) => object;
  };
}

/** What {@link startThreadedWasm} did. */
export interface ThreadedStart {
  /** Whether `tf.setBackend('wasm')` succeeded. */
  readonly started: boolean;
  /** Why it did not, when it did not. */
  readonly failure?: string;
}

/**
 * Starts the wasm backend on the threaded build with `threads` threads. The caller has checked
 * {@link threadedStartBlocker} and set the binaries' path; on failure it falls back to one thread.
 *
 * @param threads - thread count (2 or more).
 * @param bundle - the Node bundle's text, already checked.
 */
export async function startThreadedWasm(threads: number, bundle: string): Promise<ThreadedStart> {
  const aliases = mainScriptPrelude(bundle);
  if ('blocker' in aliases) return { started: false, failure: aliases.blocker };
  const { prelude } = aliases;
  let directory: string;
  try {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'rlrp-wasm-threads-'));
  } catch (error) {
    const reason = messageOf(error);
    return { started: false, failure: `no temporary directory for the worker scripts: ${reason}` };
  }
  // The pool's workers read both files while they start; later they are never read again, but a
  // worker may still be starting when start-up returns, so they go when the process does.
  process.once('exit', () => fs.rmSync(directory, { recursive: true, force: true }));
  const scriptTexts = new WeakMap<Blob, string>();
  let mainScriptPath: string | undefined;
  let runtimeFailure: string | undefined;

  const RealBlob = globalThis.Blob;
  const realCreateObjectURL = URL.createObjectURL;
  const realCpus = os.cpus;
  class RecordingBlob extends RealBlob {
    constructor(
      parts: ConstructorParameters<typeof Blob>[0],
      options?: ConstructorParameters<typeof Blob>[1],
    ) {
      super(parts, options);
      const strings: unknown[] = Array.from(parts ?? []);
      if (!strings.every((part): part is string => typeof part === 'string')) return;
      const text = strings.join('');
      scriptTexts.set(this, text);
      if (text.startsWith(MAIN_SCRIPT_MARKER)) {
        mainScriptPath = path.join(directory, 'main.js');
        fs.writeFileSync(mainScriptPath, prelude + text + '\n');
      }
    }
  }
  const createObjectURL = (object: Blob): string => {
    const text = scriptTexts.get(object);
    if (text === undefined) return realCreateObjectURL(object);
    if (mainScriptPath === undefined || !text.includes(WORKER_LOAD_BRANCH)) {
      runtimeFailure = 'the worker script or the main script was not where the patch expects them';
      return realCreateObjectURL(object);
    }
    // The main script arrives in the worker as a Blob it cannot open in Node: point it at the file.
    const redirect = `e.data.urlOrBlob=${JSON.stringify(mainScriptPath)};`;
    const workerPath = path.join(directory, 'worker.js');
    fs.writeFileSync(workerPath, text.replace(WORKER_LOAD_BRANCH, redirect + WORKER_LOAD_BRANCH));
    return workerPath;
  };
  // C++ caps the pool at half the cores os.cpus() lists.
  const enoughCpus = (): os.CpuInfo[] => {
    const cpus = realCpus();
    return Array.from({ length: 2 * threads }, (_, i) => cpus[i % cpus.length]);
  };

  globalThis.Blob = RecordingBlob;
  URL.createObjectURL = createObjectURL;
  os.cpus = enoughCpus;
  tf.env().set(FLAG, true);
  setThreadsCount(threads);
  try {
    const started = await tf.setBackend('wasm');
    if (started) await tf.ready();
    if (started) dropIdleWorkers(tf.backend() as BackendWasm, bundle);
    if (started) releasePoolAtExit(tf.backend() as BackendWasm);
    return started
      ? { started }
      : { started, failure: runtimeFailure ?? "tf.setBackend('wasm') failed" };
  } catch (error) {
    return { started: false, failure: messageOf(error) };
  } finally {
    globalThis.Blob = RealBlob;
    URL.createObjectURL = realCreateObjectURL;
    os.cpus = realCpus;
  }
}

/** A worker of the pool (a Node `worker_threads` Worker). */
interface PoolWorker {
  unref(): void;
  terminate?: () => unknown;
}

/** The part of Emscripten's PThread object that holds the pool's workers. */
interface PthreadPool {
  readonly runningWorkers: readonly PoolWorker[];
  readonly unusedWorkers: PoolWorker[];
}

/** In the bundle's Emscripten runtime: a thread asked for when no worker is idle gets a new one. */
export const WORKER_ON_DEMAND =
  'getNewWorker: function () { if (PThread.unusedWorkers.length == 0) {';

/**
 * Ends the pool's idle workers. The build starts 8 workers whatever the thread count (its compiled
 * pool size), each a Node worker with its own V8 heap and wasm instance, about 18 MB of resident
 * memory each (a 2-thread engine's process: 318 MB right after start-up against 181 MB on one
 * thread); XNNPACK makes its threads once, at start-up, so the idle ones are never used. Done only
 * where the bundle's runtime makes a new worker on demand, so that a thread asked for later would
 * still start.
 */
function dropIdleWorkers(backend: BackendWasm, bundle: string): void {
  if (!bundle.includes(WORKER_ON_DEMAND)) return;
  const pool = (backend.wasm as unknown as { PThread?: PthreadPool }).PThread;
  if (!pool) return;
  for (const worker of pool.unusedWorkers.splice(0)) void worker.terminate?.();
}

/**
 * Lets Node exit while the pool's threads wait for work. Emscripten unrefs idle workers itself but
 * not the running ones, and XNNPACK's pool threads run (waiting) for the life of the engine.
 */
function releasePoolAtExit(backend: BackendWasm): void {
  const pool = (backend.wasm as unknown as { PThread?: PthreadPool }).PThread;
  if (!pool) return;
  for (const worker of [...pool.runningWorkers, ...pool.unusedWorkers]) worker.unref();
}
