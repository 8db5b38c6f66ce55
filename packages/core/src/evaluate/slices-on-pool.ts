import type * as tf from '@tensorflow/tfjs';
import type { ExplainPool } from '../engine/explain-pool';
import { limitNativeThreads } from '../engine/native-kernels';
import { reusablePools } from '../engine/reusable-pools';
import { SliceQueue } from '../engine/slice-queue';
import { EngineError } from '../errors';
import type { EvaluationProgress } from './metric-options';
import { thisThreadJoinsPool } from './pool-threads';

/** Work on a dataset cut into slices, for {@link runSlicesOnPool}. */
export interface SlicedWork<Set, Part> {
  readonly model: tf.LayersModel;
  /** Contiguous slices `[start, end)` of the dataset, in order. */
  readonly slices: readonly { readonly start: number; readonly end: number }[];
  /** Threads to use, this one included when it joins the pool ({@link thisThreadJoinsPool}). */
  readonly threads: number;
  readonly signal?: AbortSignal;
  /**
   * What this thread does before the workers are sent anything (they boot meanwhile): work of its
   * own, then the set the threads take the slices of from `queue`.
   */
  prepare(queue: SliceQueue): Promise<Set>;
  /**
   * Sends `set` to the pool's workers, their progress to `onProgress`; settles with the parts of
   * the slices they took.
   */
  onWorkers(
    pool: ExplainPool,
    set: Set,
    onProgress: ((slice: number, progress: EvaluationProgress) => void) | undefined,
  ): Promise<Map<number, Part>>;
  /** Where the workers' progress goes; an error it throws fails the work. */
  readonly onWorkerProgress?: (slice: number, progress: EvaluationProgress) => void;
  /** Takes slices of `set` in this thread, beside the workers, each part to `onPart`. */
  here(set: Set, onPart: (slice: number, part: Part) => void): Promise<void>;
}

/**
 * Runs `work` on a pool of {@link reusablePools} and this thread, and gives every slice's part in
 * slice order. The pool is kept for the next request on the same model when done, and when a
 * failure or an abort comes before the workers were sent anything (a rule object that throws in
 * `prepare`, a bad label); terminated at once when it comes after (its workers may be mid-slice).
 * While this thread takes slices its native kernels get one core, as each worker's.
 *
 * @throws what `prepare`, the workers or this thread's slices throw, or `signal.reason` once
 *   aborted; EngineError when a slice never came back.
 */
export async function runSlicesOnPool<Set, Part>(work: SlicedWork<Set, Part>): Promise<Part[]> {
  const { model, slices, threads, signal } = work;
  const joins = thisThreadJoinsPool();
  // No more workers than slices the others leave (this thread takes one when it joins).
  const lent = await reusablePools.acquire(
    model,
    Math.max(1, Math.min(threads, slices.length) - (joins ? 1 : 0)),
  );
  const queue = SliceQueue.create(slices.length);
  let failure: { error: unknown } | undefined;
  let ending: Promise<void> | undefined;
  /** Whether the workers were sent the set: until then a failure leaves them idle and warm. */
  let sent = false;
  const fail = (error: unknown) => {
    failure ??= { error };
    queue.stop();
    // Before the set was sent, a usable pool goes back idle and warm (release drops one that is not).
    ending ??= sent ? lent.discard() : (lent.release(), Promise.resolve());
  };
  // A function, not an inline check: `fail` runs from listeners the compiler cannot follow.
  const throwIfFailed = () => {
    if (failure) throw failure.error;
  };
  // A worker that cannot load the model (a layer only this thread knows) fails what was sent to
  // it with its own EngineError, which a caller's default pool may retry in this thread.
  const loaded = lent.pool.ready.catch(fail);
  const stop = () => fail(signal?.reason);
  signal?.addEventListener('abort', stop, { once: true });
  let restoreThreads = () => undefined as void;
  try {
    signal?.throwIfAborted();
    const set = await work.prepare(queue);
    // Failed or aborted meanwhile: the pool is given back already, and must not get this set.
    throwIfFailed();
    const parts = new Map<number, Part>();
    sent = true;
    // A throwing progress callback fails the work, not the process (it runs in the pool's
    // message listener).
    const report = work.onWorkerProgress;
    const onProgress =
      report &&
      ((slice: number, progress: EvaluationProgress) => {
        try {
          report(slice, progress);
        } catch (error) {
          fail(error);
        }
      });
    const onWorkers = work
      .onWorkers(lent.pool, set, onProgress)
      .then((taken) => taken.forEach((part, slice) => parts.set(slice, part)));
    // This thread shares the cores with the workers: its native kernels get one, as each worker's
    // (not before: `prepare`'s work runs while the workers boot or wait).
    if (joins) restoreThreads = limitNativeThreads(1);
    const here = joins
      ? work.here(set, (slice, part) => parts.set(slice, part))
      : Promise.resolve();
    // Every part settles: a failure stops the queue and ends the pool, so the others soon do.
    await Promise.all([loaded, ...[onWorkers, here].map((part) => part.catch(fail))]);
    throwIfFailed();
    const missing = slices.findIndex((_, i) => !parts.has(i));
    if (missing >= 0) {
      throw new EngineError(`Pool: slice ${missing} of ${slices.length} never came back.`);
    }
    lent.release();
    return slices.map((_, i) => parts.get(i) as Part);
  } catch (error) {
    fail(error);
    await ending;
    throw signal?.aborted ? signal.reason : error;
  } finally {
    restoreThreads();
    signal?.removeEventListener('abort', stop);
  }
}
