import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as os from 'os';
import { EngineError, EvaluationOptionError } from '../errors';

/**
 * Fewest images per thread the default thread count allows. A worker's start-up (its wasm engine
 * and its copy of the model) costs about as much as comparing a few dozen images with a handful
 * of methods on the shipped models, so below this a worker does not pay for itself.
 */
export const MIN_IMAGES_PER_WORKER = 64;

/**
 * The number of threads `compareMethods` and `relevanceScoresOnWorkers` use: `workers` when given,
 * else one per logical core but at most one per {@link MIN_IMAGES_PER_WORKER} images (at least 1).
 *
 * @throws EvaluationOptionError when `workers` is not a whole number ≥ 1.
 */
export function resolveWorkers(workers: number | undefined, samples: number): number {
  if (workers === undefined) {
    const cores = os.availableParallelism();
    return Math.max(1, Math.min(cores, Math.floor(samples / MIN_IMAGES_PER_WORKER)));
  }
  if (!Number.isInteger(workers) || workers < 1) {
    throw new EvaluationOptionError('workers', workers, 'a whole number ≥ 1 (1: this thread)');
  }
  return workers;
}

/**
 * Whether this thread takes slices beside a pool's workers: only when it runs their engine,
 * single-threaded wasm (the workers follow its choice of native kernels), so that an image's
 * results do not depend on the thread that compared it. A threaded wasm engine would compete with
 * the workers for their cores, and another backend computes other values.
 */
export function thisThreadJoinsPool(): boolean {
  return tf.getBackend() === 'wasm' && getThreadsCount() === 1;
}

/**
 * `onPool()`, unless the caller did not ask for workers (`asked` false) and the pool failed with an
 * EngineError: then `here()`. A pool the caller did not ask for must not make work fail that one
 * thread can do (a model whose layers only this thread knows, for one); an error that remains
 * here keeps its own type instead of arriving as an EngineError. An abort is not retried.
 */
export async function onPoolOrHere<T>(
  asked: boolean,
  signal: AbortSignal | undefined,
  onPool: () => Promise<T>,
  here: () => T,
): Promise<T> {
  if (asked) return onPool();
  try {
    return await onPool();
  } catch (error) {
    if (!(error instanceof EngineError) || signal?.aborted) throw error;
    return here();
  }
}
