import type * as tf from '@tensorflow/tfjs';
import type { Classifier, ScoreOutput } from './classifier';
import { keepTopKAccuracy, type KeepTopKResult } from './keep-top-k';
import {
  checkImages,
  resolveRanking,
  type ClassIndices,
  type CommonMetricOptions,
  type PixelOrder,
} from './metric-options';
import { pixelFlippingCurve, type PixelFlippingCurve } from './pixel-flipping';

/** Options of `evaluatePixelOrder`. */
export interface PixelOrderEvaluationOptions extends CommonMetricOptions {
  readonly classifier: Classifier;
  readonly images: tf.Tensor4D;
  /** True labels (keep-top-k accuracy). */
  readonly labels: ClassIndices;
  /** Tracked class of the curves; default: predicted on the intact image. */
  readonly targets?: ClassIndices;
  readonly order: PixelOrder;
  /** Keep-top-k percentages; default the paper's. */
  readonly percents?: readonly number[];
  /** Steps of the deletion/insertion curves; default 20. */
  readonly steps?: number;
  readonly scoreOutput?: ScoreOutput;
}

/** Every metric of the evaluation protocol for one pixel order. */
export interface PixelOrderEvaluation {
  readonly keepTopK: KeepTopKResult;
  readonly deletion: PixelFlippingCurve;
  readonly insertion: PixelFlippingCurve;
}

/** Keep-top-k accuracy, deletion and insertion curves for one pixel order (ranked once, reused). */
export function evaluatePixelOrder(options: PixelOrderEvaluationOptions): PixelOrderEvaluation {
  checkImages(options.images);
  const [n, h, w, c] = options.images.shape;
  const order = {
    ranking: resolveRanking(options.order, [n, h, w, c], options.seed, options.firstSample),
  };
  const progress = (stage: string) =>
    options.onProgress &&
    ((p: { done: number; total: number }) => options.onProgress?.({ stage, ...p }));
  const keepTopK = keepTopKAccuracy({ ...options, order, onProgress: progress('keep-top-k') });
  const curve = (mode: 'deletion' | 'insertion') =>
    pixelFlippingCurve({ ...options, order, mode, onProgress: progress(mode) });
  return { keepTopK, deletion: curve('deletion'), insertion: curve('insertion') };
}
