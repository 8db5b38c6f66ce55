import type * as tf from '@tensorflow/tfjs';
import type { RuleChoice } from '../types';
import type { ScoreOutput } from './classifier';
import type { PixelBaseline } from './masking';
import type { PixelOrderEvaluation } from './evaluate-pixel-order';
import type { ClassIndices, ProgressCallback } from './metric-options';
import type { RelevanceScores } from './method-relevance';
import { checkCompareOptions, compareInThisThread } from './compare-in-thread';
import { compareOnPool } from './compare-on-pool';
import { onPoolOrHere, resolveWorkers } from './pool-threads';

/** An explanation method to compare: a display name and the rule, preset or composite it runs. */
export interface ExplanationMethod {
  readonly name: string;
  readonly rule: RuleChoice;
}

/** Options of `compareMethods`. */
export interface CompareMethodsOptions {
  readonly model: tf.LayersModel;
  /** Intact test images `[n, h, w, c]`. */
  readonly images: tf.Tensor4D;
  /** True labels. */
  readonly labels: ClassIndices;
  readonly methods: readonly ExplanationMethod[];
  readonly percents?: readonly number[];
  readonly steps?: number;
  readonly baseline?: PixelBaseline;
  /** Images per metric forward pass; default 64. */
  readonly batchSize?: number;
  /** Images per explanation batch; default 32. */
  readonly explainBatchSize?: number;
  readonly seed?: number;
  /** Index of the first image in the whole evaluated set (see `CommonMetricOptions.firstSample`). */
  readonly firstSample?: number;
  readonly scoreOutput?: ScoreOutput;
  /**
   * Progress; stages are `explain`, then `<method>: keep-top-k|deletion|insertion`. With workers,
   * `done` and `total` of a stage count the batches of every slice; the slices run a few at a time,
   * so reports of different stages interleave and only each stage's own `done` grows steadily.
   * Methods whose rule is an object no factory of this package made (see {@link compareMethods})
   * are explained first in this thread, in the `explain` stage's first batches.
   */
  readonly onProgress?: ProgressCallback;
  /**
   * Threads the images are split over: this thread and `workers − 1` worker threads when this
   * thread runs the workers' engine (single-threaded wasm, the default), else `workers` worker
   * threads. The set is cut into slices of about 64 images (at least one per thread where the
   * batches allow), each made of whole batches of a run in one thread (`comparisonSlices`), and
   * every thread takes the next slice from one queue in shared memory whenever it is free; each
   * worker runs its own single-threaded wasm engine with this thread's choice of native kernels.
   * Default: one per logical core, but never fewer than 64 images per thread
   * (`MIN_IMAGES_PER_WORKER`) — starting a worker (engine, model) costs about as much as
   * evaluating tens of images, so a
   * small set (a test, a notebook's few images) runs in this thread (1). `1` always runs in this
   * thread, on this thread's engine. The workers stay up for a minute after the comparison, ready
   * for the next one on the same model and weights (`closeComparisonWorkers` ends them sooner).
   */
  readonly workers?: number;
  /**
   * Aborts the comparison: the workers are ended and the promise rejects with `signal.reason`.
   * Checked before the comparison starts; a comparison in this thread (one worker) is synchronous
   * work and runs to its end once started.
   */
  readonly signal?: AbortSignal;
}

/** The result of one method, with its AOPC relative to the random ranking. */
export interface MethodEvaluation extends PixelOrderEvaluation {
  readonly name: string;
  /** Non-finite relevance values over all images (the ranking treats NaN as −∞). */
  readonly nonFinite: number;
  /** Deletion AOPC minus the random ranking's deletion AOPC (> 0: better than random). */
  readonly deletionAopcVsRandom: number;
  /** Insertion AOPC minus the random ranking's insertion AOPC (> 0: better than random). */
  readonly insertionAopcVsRandom: number;
}

/** Every method's evaluation, plus the random baseline (named `random`, listed last). */
export interface MethodComparison {
  readonly methods: readonly MethodEvaluation[];
  readonly random: MethodEvaluation;
}

/** What `compareMethods` returns: the comparison and the relevance maps it ranked the pixels by. */
export interface MethodComparisonWithMaps extends MethodComparison {
  /**
   * The relevance maps the methods' rankings came from, in the order of `methods`: reuse them
   * (heatmaps, stability against the clean maps) instead of explaining the images again.
   */
  readonly relevance: readonly RelevanceScores[];
}

/**
 * Run the evaluation protocol for several methods on one model and image set: explain the predicted
 * class of every intact image with each method (one forward pass per batch shared by all rules), then
 * keep-top-k accuracy and deletion/insertion curves, and the seeded random ranking as the baseline.
 * The options are checked before anything is explained, so a bad one fails at once.
 *
 * With `workers` > 1 the images are split into contiguous slices of about 64 images, which this
 * thread and the workers take in turn as each is free (see `workers`); every thread runs the same
 * protocol on its slices (their random rankings those of their images in the whole set) and the
 * slices are merged in order. Each slice is made of whole batches of a run in one thread, so the
 * per-image results (relevance maps, targets, keep-top-k hits) are those of one thread on the
 * workers' engine (single-threaded wasm: identical to this thread's when it runs wasm too, as the
 * tests check; another backend differs from wasm as it always does). Batch sizes whose common
 * multiple is large leave fewer slices than threads (see `comparisonSlices`).
 * The means are recombined from the slices' means and agree with one thread's to ~1e-15 relative
 * (float64 sums in another order). The pool is kept for the next comparison on the same model (see
 * `workers`), and ended at once on an error or abort once its workers have work. Rules and
 * composites made by this package's factories (`epsilon({ timesStd: 0.25 })`, `gamma(0.5)`,
 * `epsilonPlusFlat({ epsilon: 1e-3 })`, …) are explained by every thread like names, each worker
 * making them again from the same arguments; other rule objects (made by hand, or changed since),
 * whose functions cannot be sent, are explained in this thread first.
 *
 * @throws EvaluationOptionError, ClassIndexError as the metrics do (see `keepTopKAccuracy`), and
 *   for a `workers` that is not a whole number ≥ 1; EngineError when a worker of a pool asked for
 *   with `workers` fails (with the default pool the comparison is then run in this thread), also
 *   for an error a rule throws in a worker (its message kept, its type not).
 */
export async function compareMethods(
  options: CompareMethodsOptions,
): Promise<MethodComparisonWithMaps> {
  checkCompareOptions(options);
  const workers = resolveWorkers(options.workers, options.images.shape[0]);
  options.signal?.throwIfAborted();
  if (workers === 1) return compareInThisThread(options);
  return onPoolOrHere(
    options.workers !== undefined,
    options.signal,
    () => compareOnPool(options, workers),
    () => compareInThisThread(options),
  );
}
