import { EngineError } from '../errors';

/**
 * The engines @rlrp/core can run on, fastest first:
 * - `'tensorflow-gpu'`: native TensorFlow with CUDA (`@tensorflow/tfjs-node-gpu`);
 * - `'tensorflow'`: native TensorFlow on the CPU (`@tensorflow/tfjs-node`);
 * - `'wasm'`: the WebAssembly backend (`@tensorflow/tfjs-backend-wasm`, always installed);
 * - `'cpu'`: the plain JavaScript backend of `@tensorflow/tfjs` (slowest, always available).
 */
export const ENGINE_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;

/** One of {@link ENGINE_NAMES}. */
export type EngineName = (typeof ENGINE_NAMES)[number];

/** What a caller may ask for: a specific engine, or `'auto'` (the fastest one that loads). */
export type EngineRequest = EngineName | 'auto';

/** Environment variable that picks the engine when `initEngine` is called without one. */
export const ENGINE_ENV_VAR = 'RLRP_ENGINE';

const VALID_REQUESTS: readonly string[] = ['auto', ...ENGINE_NAMES];

/**
 * Checks a user-supplied engine name (from an option or the environment).
 *
 * @param value - the name as given.
 * @param source - where it came from, named in the error (`'option engine'`, `'RLRP_ENGINE'`).
 * @throws EngineError listing the valid names when `value` is not one of them.
 */
export function parseEngineRequest(value: string, source: string): EngineRequest {
  const normalised = value.trim().toLowerCase();
  if (VALID_REQUESTS.includes(normalised)) return normalised as EngineRequest;
  throw new EngineError(
    `Unknown engine "${value}" (from ${source}). Valid engines: ${VALID_REQUESTS.join(', ')}.`,
  );
}
