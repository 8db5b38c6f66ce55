import type { PoolComparisonSet } from '../engine/explain-pool-protocol';
import { sliceBatch } from '../engine/explain-pool';
import { sendableRule, type SendableRule } from '../rule-from-recipe';
import type { CompareMethodsOptions, MethodComparisonWithMaps } from './compare-methods';
import { classCount } from './classifier';
import { compareInThisThread } from './compare-in-thread';
import { compareTakenSlices, shareComparisonSet } from './comparison-set';
import { mergeComparisons } from './merge-comparisons';
import {
  DEFAULT_METRIC_BATCH_SIZE,
  resolveBatchSize,
  toIndexArray,
  type EvaluationProgress,
} from './metric-options';
import {
  DEFAULT_EXPLAIN_BATCH_SIZE,
  relevanceScores,
  type RelevanceScores,
} from './method-relevance';
import { thisThreadJoinsPool } from './pool-threads';
import { runSlicesOnPool } from './slices-on-pool';

/**
 * Images per slice where the set allows: the metrics' default batch, so that each forward pass of
 * a slice's metrics is one whole batch (a pass of 64 MNIST images costs 10 % less per image than
 * two of 32). Small slices let the threads end close together (a worker that boots late, or a
 * core shared with other work, just takes fewer) at little cost: a slice costs one message and
 * one copy of its images into the engine. On two threads (this thread and a kept worker, 512
 * MNIST images, R-LRP and EpsilonPlusFlat, one-off runs), slices of 32 took 1211–1261 ms, of 64
 * 1034–1112 ms and of 128 1059–1065 ms; a first comparison (workers started in it) took
 * 1997–2222 ms with slices of 128, 1945–1995 ms with slices of 64.
 */
export const IMAGES_PER_SLICE = DEFAULT_METRIC_BATCH_SIZE;

/**
 * Contiguous slices of `samples` images for `threads` threads that each take the next slice when
 * free: about {@link IMAGES_PER_SLICE} images each, at least one per thread where the set allows,
 * each made of whole batches of a run in one thread (its boundaries fall at multiples of both the
 * explanation batch and the metrics' batch). So every image is explained and scored in a batch of
 * the same images as in one thread. That matters: a batch's make-up can move a value's last bits
 * (on an AVX2 machine, oneDNN's convolutions of a batch of one image sum in another order than
 * those of a larger batch: the test net's outputs differed in 29 of 36 values). Batch sizes whose
 * common multiple is large leave fewer slices, down to one (which one thread compares).
 */
export function comparisonSlices(
  samples: number,
  threads: number,
  explainBatch: number,
  metricBatch: number,
): { start: number; end: number }[] {
  const unit = leastCommonMultiple(explainBatch, metricBatch);
  const units = Math.ceil(samples / unit);
  const parts = Math.min(
    units,
    Math.max(threads, Math.round(samples / Math.max(unit, IMAGES_PER_SLICE))),
  );
  return sliceBatch(units, parts).map(({ start, end }) => ({
    start: start * unit,
    end: Math.min(samples, end * unit),
  }));
}

function leastCommonMultiple(a: number, b: number): number {
  let [x, y] = [a, b];
  while (y !== 0) [x, y] = [y, x % y];
  return (a / x) * b;
}

/**
 * `compareMethods` on `threads` threads (options already checked): this thread and `threads − 1`
 * workers when {@link thisThreadJoinsPool}, else `threads` workers. A rule given by name, or made
 * by a factory of this package, goes to the threads as its name or recipe (rules/recipe.ts); the
 * methods with any other rule object are explained here first (their functions cannot be sent).
 * The set goes to every thread once, in shared memory, cut into {@link comparisonSlices}; each
 * thread takes the next slice from one shared queue whenever it is free: this thread at once, each
 * worker as soon as it has booted. The slices are merged in order. The pool is kept or ended as
 * {@link runSlicesOnPool} says (a rule object that throws here, or a bad label, leaves it kept).
 */
export async function compareOnPool(
  options: CompareMethodsOptions,
  threads: number,
): Promise<MethodComparisonWithMaps> {
  const { model, images } = options;
  // What each method's workers are sent: its rule's name or recipe; undefined for a rule object
  // no factory of this package made, explained here (its functions cannot be sent).
  const sendable = options.methods.map((m) => sendableRule(m.rule));
  const explainedHereRules = options.methods.flatMap((m, i) =>
    sendable[i] === undefined ? [m.rule] : [],
  );
  const samples = images.shape[0];
  const slices = comparisonSlices(
    samples,
    threads,
    resolveBatchSize(options.explainBatchSize, DEFAULT_EXPLAIN_BATCH_SIZE, 'explainBatchSize'),
    resolveBatchSize(options.batchSize),
  );
  // One slice that this thread can take: a worker would only boot to find the queue empty.
  if (thisThreadJoinsPool() && slices.length === 1) return compareInThisThread(options);
  const progress = progressOfSlices(options, slices, sendable);
  let explainedHere: RelevanceScores[] = [];
  const parts = await runSlicesOnPool<PoolComparisonSet, MethodComparisonWithMaps>({
    model,
    slices,
    threads,
    signal: options.signal,
    prepare: async (queue) => {
      // The workers boot meanwhile; what this thread sends them waits behind their model.
      explainedHere = relevanceScores(model, images, {
        rules: explainedHereRules,
        batchSize: options.explainBatchSize,
        onProgress: progress.here,
      });
      options.signal?.throwIfAborted();
      const labels = toIndexArray(options.labels, samples, 'labels', classCount(model, images));
      return shareComparisonSet(options, sendable, slices, labels, explainedHere, queue);
    },
    onWorkers: (pool, set, onProgress) => pool.compare(set, onProgress),
    onWorkerProgress: progress.slice,
    here: (set, onPart) => compareTakenSlices(model, set, onPart, progress.slice),
  });
  return withWholeSetRelevance(mergeComparisons(parts), sendable, explainedHere);
}

/** The merged comparison with the relevance (and nonFinite count) computed here put back. */
function withWholeSetRelevance(
  merged: MethodComparisonWithMaps,
  sendable: readonly (SendableRule | undefined)[],
  explainedHere: readonly RelevanceScores[],
): MethodComparisonWithMaps {
  let next = 0;
  const relevance = sendable.map((rule, i) =>
    rule !== undefined ? merged.relevance[i] : explainedHere[next++],
  );
  const methods = merged.methods.map((method, i) => ({
    ...method,
    nonFinite: relevance[i].nonFinite,
  }));
  return { ...merged, methods, relevance };
}

/**
 * Progress of this thread and the workers as one: every stage is reported once over the whole set,
 * `done` the batches finished by all, `total` those of every slice (explanation batches for
 * `explain`, metric batches otherwise). The `explain` stage counts this thread's batches (rule
 * objects, whole set) first, then the workers' (named rules, per slice). Slices run a few at a
 * time, so the stages' reports interleave; each stage's own `done` only grows.
 */
function progressOfSlices(
  options: CompareMethodsOptions,
  slices: readonly { start: number; end: number }[],
  sendable: readonly (SendableRule | undefined)[],
): {
  here?: (progress: EvaluationProgress) => void;
  slice?: (slice: number, progress: EvaluationProgress) => void;
} {
  const { onProgress } = options;
  if (!onProgress) return {};
  const explainBatch = resolveBatchSize(
    options.explainBatchSize,
    DEFAULT_EXPLAIN_BATCH_SIZE,
    'explainBatchSize',
  );
  const metricBatch = resolveBatchSize(options.batchSize);
  const batches = (size: number) =>
    slices.reduce((sum, s) => sum + Math.ceil((s.end - s.start) / size), 0);
  const samples = slices[slices.length - 1].end;
  const hereExplain = sendable.some((rule) => rule === undefined)
    ? Math.ceil(samples / explainBatch)
    : 0;
  const workersExplain = sendable.some((rule) => rule !== undefined) ? batches(explainBatch) : 0;
  const explainTotal = hereExplain + workersExplain;
  const metricTotal = batches(metricBatch);
  const done = new Map<string, number[]>();
  return {
    here: (progress) => onProgress({ ...progress, total: explainTotal }),
    slice: (slice, progress) => {
      const perSlice = done.get(progress.stage) ?? slices.map(() => 0);
      perSlice[slice] = progress.done;
      done.set(progress.stage, perSlice);
      const explain = progress.stage === 'explain';
      onProgress({
        stage: progress.stage,
        done: (explain ? hereExplain : 0) + perSlice.reduce((sum, d) => sum + d, 0),
        total: explain ? explainTotal : metricTotal,
      });
    },
  };
}
