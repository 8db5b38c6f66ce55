import type * as tf from '@tensorflow/tfjs';
import type { RuleChoice } from '../types';
import type { ScoreOutput } from './classifier';
import type { PixelBaseline } from './masking';
import type { ClassIndices, ProgressCallback } from './metric-options';
import { classCount } from './classifier';
import { evaluatePixelOrder, type PixelOrderEvaluation } from './evaluate-pixel-order';
import { KEEP_TOP_K_PERCENTS } from './keep-top-k';
import {
  checkBaseline,
  checkImages,
  checkPercents,
  resolveBatchSize,
  resolveFirstSample,
  resolveSeed,
  toIndexArray,
} from './metric-options';
import { relevanceScores, type RelevanceScores } from './method-relevance';

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
  /** Progress; stages are `explain`, then `<method>: keep-top-k|deletion|insertion`. */
  readonly onProgress?: ProgressCallback;
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
 * @throws EvaluationOptionError, ClassIndexError as the metrics do (see `keepTopKAccuracy`).
 */
export function compareMethods(options: CompareMethodsOptions): MethodComparisonWithMaps {
  const { model, images } = options;
  checkImages(images);
  toIndexArray(options.labels, images.shape[0], 'labels', classCount(model, images));
  checkPercents(options.percents ?? KEEP_TOP_K_PERCENTS);
  checkBaseline(options.baseline, images.shape);
  resolveBatchSize(options.batchSize);
  resolveBatchSize(options.explainBatchSize, 32, 'explainBatchSize');
  resolveSeed(options.seed);
  resolveFirstSample(options.firstSample);
  const maps = relevanceScores(model, images, {
    rules: options.methods.map((m) => m.rule),
    batchSize: options.explainBatchSize,
    onProgress: options.onProgress,
  });
  const targets = maps[0]?.targets;
  const evaluate = (name: string, order: Float32Array | 'random'): PixelOrderEvaluation =>
    evaluatePixelOrder({
      classifier: model,
      images,
      labels: options.labels,
      targets,
      order,
      percents: options.percents,
      steps: options.steps,
      baseline: options.baseline,
      batchSize: options.batchSize,
      seed: options.seed,
      firstSample: options.firstSample,
      scoreOutput: options.scoreOutput,
      onProgress:
        options.onProgress && ((p) => options.onProgress?.({ ...p, stage: `${name}: ${p.stage}` })),
    });
  const randomEvaluation = evaluate('random', 'random');
  const withRelative = (
    name: string,
    evaluation: PixelOrderEvaluation,
    nonFinite: number,
  ): MethodEvaluation => ({
    name,
    ...evaluation,
    nonFinite,
    deletionAopcVsRandom: evaluation.deletion.aopc - randomEvaluation.deletion.aopc,
    insertionAopcVsRandom: evaluation.insertion.aopc - randomEvaluation.insertion.aopc,
  });
  const methods = options.methods.map((method, i) =>
    withRelative(method.name, evaluate(method.name, maps[i].scores), maps[i].nonFinite),
  );
  return { methods, random: withRelative('random', randomEvaluation, 0), relevance: maps };
}
