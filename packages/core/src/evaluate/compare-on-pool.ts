import * as os from 'os';
import { ExplainPool, sliceBatch } from '../engine/explain-pool';
import type { PoolCompareRequest, PoolMethod } from '../engine/explain-pool-protocol';
import { EvaluationOptionError } from '../errors';
import type { CompareMethodsOptions, MethodComparisonWithMaps } from './compare-methods';
import { classCount } from './classifier';
import { mergeComparisons } from './merge-comparisons';
import { resolveBatchSize, toIndexArray, type EvaluationProgress } from './metric-options';
import {
  DEFAULT_EXPLAIN_BATCH_SIZE,
  relevanceScores,
  type RelevanceScores,
} from './method-relevance';

/**
 * Fewest images per worker the default worker count allows. A worker's start-up (its wasm engine
 * and its copy of the model) costs about as much as comparing a few dozen images with a handful
 * of methods on the shipped models, so below this a second worker does not pay for itself.
 */
export const MIN_IMAGES_PER_WORKER = 64;

/**
 * Slices per worker: the set is cut finer than one slice per worker and each worker takes the next
 * slice when it is free, so a core that is slower (or shared with other work) ends at most one
 * small slice after the others instead of holding everyone up with a whole share.
 */
const SLICES_PER_WORKER = 8;

/** Fewest images per slice: below this a slice's own set-up weighs on its images. */
const MIN_IMAGES_PER_SLICE = 32;

/** How many slices `samples` images are cut into for `workers` workers (at least one per worker). */
export function sliceCount(samples: number, workers: number): number {
  const finest = Math.floor(samples / MIN_IMAGES_PER_SLICE);
  return Math.min(samples, Math.max(workers, Math.min(workers * SLICES_PER_WORKER, finest)));
}

/**
 * The number of workers `compareMethods` uses: `workers` when given, else one per logical core
 * but at most one per {@link MIN_IMAGES_PER_WORKER} images (at least 1).
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
 * `compareMethods` over an ExplainPool (options already checked): methods whose rule is an object
 * are explained here first (their functions cannot be sent), the rest of the protocol runs on the
 * workers in contiguous slices ({@link sliceCount}), each worker taking the next slice when it is
 * free, and the slices are merged in order. The pool is closed when done and terminated at once on
 * error or abort.
 */
export async function compareOnPool(
  options: CompareMethodsOptions,
  workers: number,
): Promise<MethodComparisonWithMaps> {
  const { model, images, signal } = options;
  const objectRules = options.methods.flatMap((m) => (typeof m.rule === 'string' ? [] : [m.rule]));
  const samples = images.shape[0];
  const slices = sliceBatch(samples, sliceCount(samples, workers));
  const progress = progressOfSlices(options, slices, objectRules.length > 0);
  // The workers boot while this thread explains the rule objects and copies the images out.
  const starting = ExplainPool.start(model, { workers: Math.min(workers, slices.length) });
  starting.catch(() => undefined); // its failure is awaited below, not left unhandled meanwhile
  let pool: ExplainPool | undefined;
  const stop = () => void pool?.terminate();
  let result: MethodComparisonWithMaps | undefined;
  try {
    const explainedHere = relevanceScores(model, images, {
      rules: objectRules,
      batchSize: options.explainBatchSize,
      onProgress: progress.here,
    });
    signal?.throwIfAborted();
    const requests = await sliceRequests(options, slices, explainedHere);
    pool = await starting;
    signal?.addEventListener('abort', stop, { once: true });
    signal?.throwIfAborted();
    const parts = await pool.compare(requests, progress.workers);
    result = withWholeSetRelevance(mergeComparisons(parts), options, explainedHere);
    return result;
  } catch (error) {
    throw signal?.aborted ? signal.reason : error;
  } finally {
    signal?.removeEventListener('abort', stop);
    const started = pool ?? (await starting.catch(() => undefined));
    await (result ? started?.close() : started?.terminate());
  }
}

/** One request per slice: its images, labels, methods (rule names, or the relevance computed here). */
async function sliceRequests(
  options: CompareMethodsOptions,
  slices: readonly { start: number; end: number }[],
  explainedHere: readonly RelevanceScores[],
): Promise<PoolCompareRequest[]> {
  const { model, images } = options;
  const [n, h, w] = images.shape;
  const pixels = h * w;
  const labels = toIndexArray(options.labels, n, 'labels', classCount(model, images));
  const data = await images.data();
  const values = data instanceof Float32Array ? data : Float32Array.from(data as Int32Array);
  const baseline =
    options.baseline === undefined || typeof options.baseline === 'number'
      ? options.baseline
      : { values: Float32Array.from(await options.baseline.data()), shape: options.baseline.shape };
  const imageValues = values.length / n;
  return slices.map(({ start, end }): PoolCompareRequest => {
    let next = 0;
    const methods = options.methods.map((m): PoolMethod => {
      if (typeof m.rule === 'string') return { name: m.name, rule: m.rule };
      // The slice's nonFinite is not known (the count is per set); the merge restores the total.
      return { name: m.name, relevance: sliceScores(explainedHere[next++], start, end, pixels) };
    });
    return {
      images: values.slice(start * imageValues, end * imageValues).buffer,
      shape: [end - start, ...images.shape.slice(1)] as [number, number, number, number],
      labels: labels.slice(start, end),
      methods,
      percents: options.percents,
      steps: options.steps,
      baseline,
      batchSize: options.batchSize,
      explainBatchSize: options.explainBatchSize,
      seed: options.seed,
      firstSample: (options.firstSample ?? 0) + start,
      scoreOutput: options.scoreOutput,
    };
  });
}

/** Samples `[start, end)` of relevance maps (the nonFinite count is left to the caller). */
function sliceScores(
  all: RelevanceScores,
  start: number,
  end: number,
  pixels: number,
): RelevanceScores {
  return {
    scores: all.scores.slice(start * pixels, end * pixels),
    nonFinite: 0,
    targets: all.targets.slice(start, end),
  };
}

/** The merged comparison with the relevance (and nonFinite count) computed here put back. */
function withWholeSetRelevance(
  merged: MethodComparisonWithMaps,
  options: CompareMethodsOptions,
  explainedHere: readonly RelevanceScores[],
): MethodComparisonWithMaps {
  let next = 0;
  const relevance = options.methods.map((m, i) =>
    typeof m.rule === 'string' ? merged.relevance[i] : explainedHere[next++],
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
  explainsHere: boolean,
): {
  here?: (progress: EvaluationProgress) => void;
  workers?: (slice: number, progress: EvaluationProgress) => void;
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
  const hereExplain = explainsHere ? Math.ceil(samples / explainBatch) : 0;
  const workersExplain = options.methods.some((m) => typeof m.rule === 'string')
    ? batches(explainBatch)
    : 0;
  const explainTotal = hereExplain + workersExplain;
  const metricTotal = batches(metricBatch);
  const done = new Map<string, number[]>();
  return {
    here: (progress) => onProgress({ ...progress, total: explainTotal }),
    workers: (slice, progress) => {
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
