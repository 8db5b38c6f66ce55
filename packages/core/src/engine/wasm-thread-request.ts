import * as os from 'os';
import { EngineError } from '../errors';

/** Environment variable that sets the wasm engine's thread count when `initEngine` is given none. */
export const WASM_THREADS_ENV_VAR = 'RLRP_WASM_THREADS';

/**
 * The most threads the wasm engine can use: tfjs-backend-wasm 4.22's threaded build starts a pool
 * of 8 worker threads (the main thread plus 7 of them compute). More would make Emscripten start
 * workers after the engine's start-up, which the Node patch (wasm-threaded-start.ts) no longer covers.
 */
export const MAX_WASM_THREADS = 8;

/** What a caller may ask for: a thread count, or `'auto'` (one per logical core, see below). */
export type WasmThreadsRequest = number | 'auto';

/** How many threads to start the wasm engine with, and why. */
export interface WasmThreadPlan {
  /** Threads asked for (1 = the single-threaded build). */
  readonly threads: number;
  /** Why this many, in one sentence fragment. */
  readonly reason: string;
}

/**
 * Decides how many threads the wasm engine should start with.
 *
 * `'auto'` means one per logical core (at most {@link MAX_WASM_THREADS}), except inside a Jest
 * worker (`JEST_WORKER_ID` set), where Jest already runs one test file per core and extra engine
 * threads would only compete with them.
 *
 * @param requested - the `threads` option, if given (it beats the environment variable).
 * @param env - where to read `RLRP_WASM_THREADS` and `JEST_WORKER_ID`.
 * @param logicalCores - the machine's logical core count (a parameter so that tests can vary it).
 * @throws EngineError when the option or the environment variable is not a positive integer or
 *   `'auto'`.
 */
export function planWasmThreads(
  requested: WasmThreadsRequest | undefined,
  env: Readonly<Record<string, string | undefined>>,
  logicalCores: number = os.availableParallelism(),
): WasmThreadPlan {
  const fromEnv = env[WASM_THREADS_ENV_VAR];
  let request: WasmThreadsRequest = 'auto';
  let source = 'default';
  if (requested !== undefined) {
    request = checkRequest(requested, 'option "threads"');
    source = 'option "threads"';
  } else if (fromEnv !== undefined && fromEnv.trim() !== '') {
    source = `environment variable ${WASM_THREADS_ENV_VAR}`;
    const text = fromEnv.trim().toLowerCase();
    request = checkRequest(text === 'auto' ? 'auto' : Number(text), source, fromEnv);
  }
  if (request !== 'auto') {
    const threads = Math.min(request, MAX_WASM_THREADS);
    const capped = threads < request ? ` (capped at the pool size, ${MAX_WASM_THREADS})` : '';
    return { threads, reason: `${request} requested by ${source}${capped}` };
  }
  if (env.JEST_WORKER_ID !== undefined) {
    return {
      threads: 1,
      reason: 'automatic: inside a Jest worker, where Jest already uses the cores for test files',
    };
  }
  const threads = Math.max(1, Math.min(logicalCores, MAX_WASM_THREADS));
  return {
    threads,
    reason: `automatic: one per logical core (${logicalCores}, at most ${MAX_WASM_THREADS})`,
  };
}

function checkRequest(
  value: WasmThreadsRequest,
  source: string,
  asGiven: string = String(value),
): WasmThreadsRequest {
  if (value === 'auto' || (Number.isInteger(value) && value >= 1)) return value;
  throw new EngineError(
    `Invalid wasm thread count "${asGiven}" (from ${source}): give a whole number of at least 1, ` +
      `or "auto" for one thread per logical core.`,
  );
}
