import * as tf from '@tensorflow/tfjs';
import type { PoolComparisonSet, PoolMethod } from '../engine/explain-pool-protocol';
import { SliceQueue } from '../engine/slice-queue';
import { receivedRule, type SendableRule } from '../rule-from-recipe';
import type { CompareMethodsOptions, MethodComparisonWithMaps } from './compare-methods';
import { compareInThisThread, type SliceMethod } from './compare-in-thread';
import type { EvaluationProgress } from './metric-options';
import type { RelevanceScores } from './method-relevance';
import { imagesOfSlice, sharedImages } from './shared-images';

/**
 * `compareMethods`' options as a set that every thread of a pool compares slices of: the images,
 * each method's rule as `sendable` gives it (a name or a recipe), and the relevance of the methods it
 * gives none for, explained here (`explainedHere`, in order), copied once into shared memory.
 */
export async function shareComparisonSet(
  options: CompareMethodsOptions,
  sendable: readonly (SendableRule | undefined)[],
  slices: readonly { start: number; end: number }[],
  labels: readonly number[],
  explainedHere: readonly RelevanceScores[],
  queue: SliceQueue,
): Promise<PoolComparisonSet> {
  const { images } = options;
  const shared = await sharedImages(images);
  let next = 0;
  const methods = options.methods.map((m, i): PoolMethod => {
    const rule = sendable[i];
    if (rule !== undefined) return { name: m.name, rule };
    const { scores, nonFinite, targets } = explainedHere[next++];
    const sharedScores = new Float32Array(new SharedArrayBuffer(scores.byteLength));
    sharedScores.set(scores);
    return { name: m.name, relevance: { scores: sharedScores, nonFinite, targets } };
  });
  const baseline =
    options.baseline === undefined || typeof options.baseline === 'number'
      ? options.baseline
      : { values: Float32Array.from(await options.baseline.data()), shape: options.baseline.shape };
  return {
    images: shared,
    shape: images.shape,
    labels,
    methods,
    slices,
    queue: queue.buffer,
    percents: options.percents,
    steps: options.steps,
    baseline,
    batchSize: options.batchSize,
    explainBatchSize: options.explainBatchSize,
    seed: options.seed,
    firstSample: options.firstSample ?? 0,
    scoreOutput: options.scoreOutput,
  };
}

/**
 * The evaluation protocol on slice `slice` of `set`, in this thread, on this thread's engine: what
 * a pool's worker runs on every slice it takes, and this thread on those it takes. `baseline` is
 * the set's baseline as this thread holds it, `methods` the set's methods with their rules made
 * in this thread (see {@link methodsOfSet}).
 */
function compareSliceOfSet(
  model: tf.LayersModel,
  set: PoolComparisonSet,
  slice: number,
  baseline: tf.Tensor | number | undefined,
  methods: readonly SliceMethod[],
  onProgress?: (progress: EvaluationProgress) => void,
): MethodComparisonWithMaps {
  const { start, end } = set.slices[slice];
  const [, h, w] = set.shape;
  const pixels = h * w;
  const images = imagesOfSlice(set.images, set.shape, set.slices[slice]);
  try {
    return compareInThisThread({
      model,
      images,
      labels: set.labels.slice(start, end),
      methods: methods.map((m): SliceMethod => {
        if ('rule' in m) return m;
        const { scores, targets } = m.relevance;
        // A copy of the slice's scores (the set's are shared): the result owns its maps. The
        // slice's nonFinite is not known (the count is per set); the merge restores the total.
        const relevance = {
          scores: scores.slice(start * pixels, end * pixels),
          nonFinite: 0,
          targets: targets.slice(start, end),
        };
        return { name: m.name, relevance };
      }),
      percents: set.percents,
      steps: set.steps,
      baseline,
      batchSize: set.batchSize,
      explainBatchSize: set.explainBatchSize,
      seed: set.seed,
      firstSample: set.firstSample + start,
      scoreOutput: set.scoreOutput,
      onProgress,
    });
  } finally {
    images.dispose();
  }
}

/**
 * The protocol on every slice this thread takes from the set's queue, each handed to `onSlice` as
 * soon as it is compared: what a pool's worker runs, and this thread beside the workers
 * ({@link SliceQueue.drain}: a failure stops the queue for every thread).
 */
export async function compareTakenSlices(
  model: tf.LayersModel,
  set: PoolComparisonSet,
  onSlice: (slice: number, comparison: MethodComparisonWithMaps) => void,
  onProgress?: (slice: number, progress: EvaluationProgress) => void,
): Promise<void> {
  const queue = SliceQueue.over(set.queue, set.slices.length);
  // The baseline as every thread has it (the set's float32 copy), so that no image's results
  // depend on the thread that compared it.
  // Before the baseline tensor: a rule that cannot be made again leaves nothing to dispose.
  const methods = methodsOfSet(set);
  const baseline = baselineOfSet(set);
  try {
    await queue.drain((slice) => {
      const progress = onProgress && ((p: EvaluationProgress) => onProgress(slice, p));
      onSlice(slice, compareSliceOfSet(model, set, slice, baseline, methods, progress));
    });
  } finally {
    if (typeof baseline === 'object') baseline.dispose();
  }
}

/**
 * The set's methods with their rules made in this thread from what was sent (a name, or a recipe
 * whose factory is called here), once for all the slices the thread takes; the others carry
 * their whole set's relevance.
 */
function methodsOfSet(set: PoolComparisonSet): SliceMethod[] {
  return set.methods.map((m) => ('rule' in m ? { name: m.name, rule: receivedRule(m.rule) } : m));
}

/** The set's baseline as a tensor in this thread's engine (dispose it), or its number. */
function baselineOfSet(set: PoolComparisonSet): tf.Tensor | number | undefined {
  const { baseline } = set;
  return typeof baseline === 'object'
    ? tf.tensor(baseline.values, baseline.shape, 'float32')
    : baseline;
}
