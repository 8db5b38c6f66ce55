import * as tf from '@tensorflow/tfjs';
import { EvaluationOptionError } from '../errors';
import { readComputed } from '../read-computed';
import {
  SCORE_OUTPUTS,
  classCount,
  classScores,
  classify,
  type Classifier,
  type ScoreOutput,
} from './classifier';
import { applyPixelMask, GrowingRankingMask } from './masking';
import {
  checkBaseline,
  checkImages,
  resolveBatchSize,
  resolveRanking,
  toIndexArray,
  type ClassIndices,
  type CommonMetricOptions,
  type PixelOrder,
} from './metric-options';

/** Deletion removes the most relevant pixels first; insertion starts from the baseline image and adds them. */
export type FlippingMode = 'deletion' | 'insertion';

/** Every {@link FlippingMode}. */
export const FLIPPING_MODES: readonly FlippingMode[] = Object.freeze(['deletion', 'insertion']);

/** Options of `pixelFlippingCurve`. */
export interface PixelFlippingOptions extends CommonMetricOptions {
  readonly classifier: Classifier;
  /** Intact images `[n, h, w, c]`. */
  readonly images: tf.Tensor4D;
  /** Pixel order: relevance maps of these images, `'random'`, or a ranking. */
  readonly order: PixelOrder;
  readonly mode: FlippingMode;
  /** Class whose score is tracked, per image; default: the class predicted on the intact image. */
  readonly targets?: ClassIndices;
  /** Number of steps L; step j has flipped `round(j/L · h·w)` pixels; default 20. */
  readonly steps?: number;
  /** Which output to track; default `'auto'` (probabilities). */
  readonly scoreOutput?: ScoreOutput;
}

/** A deletion or insertion curve averaged over images, with its summaries. */
export interface PixelFlippingCurve {
  readonly mode: FlippingMode;
  /** Fraction of pixels flipped at each step, 0 … 1 (L + 1 points). */
  readonly fractions: readonly number[];
  /** Mean target score at each step. */
  readonly meanScore: readonly number[];
  /** Area under the mean curve over the flipped fraction (trapezoid rule). */
  readonly auc: number;
  /**
   * Area over the perturbation curve: the mean over steps and images of the score drop from the
   * intact image (deletion: f(x⁰) − f(xʲ)) or the score gain over the all-baseline image
   * (insertion: f(xʲ) − f(x⁰)). Higher is better for both.
   */
  readonly aopc: number;
  readonly samples: number;
}

/** Trapezoid area under `y` sampled at `x`. */
export function trapezoidArea(x: readonly number[], y: readonly number[]): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((y[i] + y[i - 1]) / 2) * (x[i] - x[i - 1]);
  return area;
}

/**
 * Pixel flipping (Bach et al. 2015; Samek et al. 2017): flip pixels in ranking order in L steps and
 * record the target's score after each step. Deletion sets the most relevant pixels to the baseline
 * first (a good ranking makes the score fall fast: low AUC, high AOPC); insertion starts from the
 * baseline image and restores them first (a good ranking makes it rise fast: high AUC, high AOPC).
 *
 * @throws EvaluationOptionError for an unknown mode or score output, an empty batch, steps that are
 *   not a positive integer, a bad batch size, seed or baseline; ClassIndexError for a target that is
 *   not a class of the classifier; PixelRankingError for a ranking that is not a permutation.
 */
export function pixelFlippingCurve(options: PixelFlippingOptions): PixelFlippingCurve {
  const { classifier, images, mode } = options;
  if (!FLIPPING_MODES.includes(mode)) {
    throw new EvaluationOptionError('mode', mode, `one of ${FLIPPING_MODES.join(', ')}`);
  }
  checkImages(images);
  const [n, h, w, c] = images.shape;
  const pixels = h * w;
  const steps = options.steps ?? 20;
  if (!Number.isInteger(steps) || steps < 1) {
    throw new EvaluationOptionError('steps', steps, 'a positive integer');
  }
  const output = options.scoreOutput ?? 'auto';
  if (!SCORE_OUTPUTS.includes(output)) {
    throw new EvaluationOptionError('scoreOutput', output, `one of ${SCORE_OUTPUTS.join(', ')}`);
  }
  checkBaseline(options.baseline, [n, h, w, c]);
  const batchSize = resolveBatchSize(options.batchSize);
  const classes = classCount(classifier, images);
  const ranking = resolveRanking(options.order, [n, h, w, c], options.seed, options.firstSample);
  const baseline = options.baseline ?? 0;
  const fractions = Array.from({ length: steps + 1 }, (_, j) => j / steps);
  const counts = fractions.map((f) => Math.round(f * pixels));
  const scoreSums = fractions.map(() => 0);
  let aopcSum = 0;
  const explicitTargets =
    options.targets === undefined
      ? undefined
      : toIndexArray(options.targets, n, 'targets', classes);
  const batches = Math.ceil(n / batchSize);
  for (let b = 0; b < batches; b++) {
    const from = b * batchSize;
    const to = Math.min(n, from + batchSize);
    const size = to - from;
    const batch = images.slice([from, 0, 0, 0], [size, h, w, c]);
    const targets =
      explicitTargets?.slice(from, to) ??
      Array.from(readComputed(() => classify(classifier, batch).argMax(1)));
    const selection = tf.tidy(() => tf.oneHot(tf.tensor1d(targets, 'int32'), classes));
    const masks = new GrowingRankingMask(ranking, pixels, from, to, mode === 'insertion');
    const perStep: Float32Array[] = counts.map((count) => {
      const mask = masks.first(count);
      return readComputed(() => {
        const masked = applyPixelMask(batch, mask, baseline);
        return classScores(classifier, masked, output).mul(selection).sum(1);
      }) as Float32Array;
    });
    selection.dispose();
    batch.dispose();
    for (let s = 0; s < size; s++) {
      const start = perStep[0][s];
      perStep.forEach((scores, j) => {
        scoreSums[j] += scores[s];
        aopcSum += mode === 'deletion' ? start - scores[s] : scores[s] - start;
      });
    }
    options.onProgress?.({ stage: mode, done: b + 1, total: batches });
  }
  const meanScore = scoreSums.map((sum) => sum / n);
  return {
    mode,
    fractions,
    meanScore,
    auc: trapezoidArea(fractions, meanScore),
    aopc: aopcSum / (n * (steps + 1)),
    samples: n,
  };
}
