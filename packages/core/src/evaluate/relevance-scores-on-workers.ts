import type * as tf from '@tensorflow/tfjs';
import type { PoolScoresSet } from '../engine/explain-pool-protocol';
import { resolveRuleChoice } from '../composites';
import { sendableRule, type SendableRule } from '../rule-from-recipe';
import { classCount } from './classifier';
import {
  DEFAULT_EXPLAIN_BATCH_SIZE,
  relevanceScores,
  type RelevanceScores,
  type RelevanceScoresOptions,
} from './method-relevance';
import {
  checkImages,
  resolveBatchSize,
  toIndexArray,
  type EvaluationProgress,
} from './metric-options';
import { mergeScores } from './merge-comparisons';
import { onPoolOrHere, resolveWorkers, thisThreadJoinsPool } from './pool-threads';
import { scoreTakenSlices, shareScoresSet } from './scores-set';
import { runSlicesOnPool } from './slices-on-pool';

/** Options of {@link relevanceScoresOnWorkers}. */
export interface RelevanceScoresOnWorkersOptions extends Omit<RelevanceScoresOptions, 'target'> {
  /**
   * `'predicted'` (default: the class predicted on each image), one class for every image, or one
   * class per image. (Rows of output relevance, which `relevanceScores` takes, are not sent to
   * workers.)
   */
  readonly target?: number | 'predicted' | readonly number[];
  /**
   * Threads the images are split over, as `compareMethods`' option of that name: this thread and
   * `workers − 1` worker threads on the default engine, which take slices of one explanation batch
   * from one queue; default one per logical core, but never fewer than 64 images per thread.
   * `1` runs `relevanceScores` in this thread. The workers stay up for a minute afterwards, ready
   * for the next request on the same model (`closeComparisonWorkers` ends them sooner), and a
   * comparison's workers serve it as well.
   */
  readonly workers?: number;
  /**
   * Aborts: the promise rejects with `signal.reason`, and a pool whose workers were sent the set is
   * ended (before that it is kept). Checked before anything starts.
   */
  readonly signal?: AbortSignal;
}

/**
 * `relevanceScores` on every core: the channel-summed relevance of `images` under every rule, each
 * thread explaining whole batches under all the rules (one forward pass per batch shared by
 * them). The maps are those one thread gives on the workers' engine (single-threaded wasm), in
 * order. Rules given by name, and rules and composites made by this package's factories, are made
 * again in every thread from their names or arguments; other rule objects, whose functions cannot
 * be sent, are explained in this thread over the whole set while the workers take the rest.
 * Options are checked before anything is explained.
 *
 * @throws EvaluationOptionError for a bad `batchSize` or `workers`, or targets not one per image;
 *   ClassIndexError for a target that is no class of the model; UnknownRuleError for an unknown
 *   rule name; EngineError when a worker of a pool asked for with `workers` fails (with the default
 *   pool the maps are then made in this thread), also for an error a rule throws in a worker;
 *   `signal.reason` once aborted.
 */
export async function relevanceScoresOnWorkers(
  model: tf.LayersModel,
  images: tf.Tensor4D,
  options: RelevanceScoresOnWorkersOptions,
): Promise<RelevanceScores[]> {
  checkImages(images);
  const samples = images.shape[0];
  const batchSize = resolveBatchSize(options.batchSize, DEFAULT_EXPLAIN_BATCH_SIZE, 'batchSize');
  const target = checkedTarget(model, images, options.target);
  for (const rule of options.rules) if (typeof rule === 'string') resolveRuleChoice(rule);
  const threads = resolveWorkers(options.workers, samples);
  options.signal?.throwIfAborted();
  const here = () => relevanceScores(model, images, { ...options, target });
  // This thread alone: one thread asked for, one batch it can take itself, or only rule objects
  // that cannot be sent (the workers would have nothing to explain).
  const oneBatchHere = thisThreadJoinsPool() && samples <= batchSize;
  const sendable = options.rules.map((rule) => sendableRule(rule));
  const nothingToSend = sendable.every((rule) => rule === undefined);
  if (threads === 1 || oneBatchHere || nothingToSend) return here();
  return onPoolOrHere(
    options.workers !== undefined,
    options.signal,
    () => onPool(model, images, { ...options, target, batchSize }, sendable, threads),
    here,
  );
}

/** The target as the workers are sent it: `'predicted'` or a checked class per image. */
function checkedTarget(
  model: tf.LayersModel,
  images: tf.Tensor4D,
  target: RelevanceScoresOnWorkersOptions['target'],
): PoolScoresSet['target'] {
  if (target === undefined || target === 'predicted') return 'predicted';
  const samples = images.shape[0];
  const perImage = typeof target === 'number' ? new Array<number>(samples).fill(target) : target;
  return toIndexArray(perImage, samples, 'target', classCount(model, images));
}

/**
 * The maps on `threads` threads (options checked; `sendable`: what each rule is sent as), one
 * explanation batch per slice: each image is
 * explained in the same batch as in one thread (a batch's make-up can move the last bits of a
 * map: R-LRP's and z⁺'s, on inputs of both signs, in batches of 1 against 2), and the threads take
 * whole batches one at a time, so they end close together.
 */
async function onPool(
  model: tf.LayersModel,
  images: tf.Tensor4D,
  options: RelevanceScoresOnWorkersOptions & {
    readonly target: PoolScoresSet['target'];
    readonly batchSize: number;
  },
  sendable: readonly (SendableRule | undefined)[],
  threads: number,
): Promise<RelevanceScores[]> {
  const { target, batchSize } = options;
  const samples = images.shape[0];
  const slices = Array.from({ length: Math.ceil(samples / batchSize) }, (_, i) => ({
    start: i * batchSize,
    end: Math.min(samples, (i + 1) * batchSize),
  }));
  const sent = sendable.filter((rule): rule is SendableRule => rule !== undefined);
  const hereRules = options.rules.filter((_, i) => sendable[i] === undefined);
  const progress = progressOfBatches(options, slices, batchSize, hereRules.length > 0);
  let explainedHere: RelevanceScores[] = [];
  const parts = await runSlicesOnPool<PoolScoresSet, RelevanceScores[]>({
    model,
    slices,
    threads,
    signal: options.signal,
    prepare: async (queue) => {
      // The workers boot meanwhile (or wait, warm, for the set).
      explainedHere = relevanceScores(model, images, {
        rules: hereRules,
        target,
        batchSize,
        onProgress: progress.here,
      });
      options.signal?.throwIfAborted();
      return shareScoresSet(images, sent, target, slices, queue, batchSize);
    },
    onWorkers: (pool, set, onProgress) => pool.scores(set, onProgress),
    onWorkerProgress: progress.slice,
    here: (set, onPart) => scoreTakenSlices(model, set, onPart, progress.slice),
  });
  // Back in the order of the rules: the workers' maps for the rules sent, this thread's for others.
  const merged = sent.map((_, r) => mergeScores(parts.map((part) => part[r])));
  let nextSent = 0;
  let nextHere = 0;
  return sendable.map((rule) =>
    rule !== undefined ? merged[nextSent++] : explainedHere[nextHere++],
  );
}

/**
 * Progress as one `explain` stage over every batch: this thread's whole-set batches first (rule
 * objects that cannot be sent), then the slices, one batch each, as the threads finish them.
 */
function progressOfBatches(
  options: RelevanceScoresOnWorkersOptions,
  slices: readonly { start: number; end: number }[],
  batchSize: number,
  explainsHere: boolean,
): {
  here?: (progress: EvaluationProgress) => void;
  slice?: (slice: number, progress: EvaluationProgress) => void;
} {
  const { onProgress } = options;
  if (!onProgress) return {};
  const samples = slices[slices.length - 1].end;
  const hereTotal = explainsHere ? Math.ceil(samples / batchSize) : 0;
  const total = hereTotal + slices.length;
  let slicesDone = 0;
  return {
    here: (p) => onProgress({ stage: 'explain', done: p.done, total }),
    slice: () => onProgress({ stage: 'explain', done: hereTotal + ++slicesDone, total }),
  };
}
