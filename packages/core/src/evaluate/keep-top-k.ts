import * as tf from '@tensorflow/tfjs';
import { classCount, classify, type Classifier } from './classifier';
import { readComputed } from '../read-computed';
import { applyPixelMask, GrowingRankingMask } from './masking';
import {
  checkBaseline,
  checkImages,
  checkPercents,
  resolveBatchSize,
  resolveRanking,
  toIndexArray,
  type ClassIndices,
  type CommonMetricOptions,
  type PixelOrder,
} from './metric-options';

/** The paper's keep-top-k percentages. */
export const KEEP_TOP_K_PERCENTS: readonly number[] = [1, 2, 5, 10, 15, 20, 30, 50, 100];

/** Options of `keepTopKAccuracy`. */
export interface KeepTopKOptions extends CommonMetricOptions {
  readonly classifier: Classifier;
  /** Intact images `[n, h, w, c]`. */
  readonly images: tf.Tensor4D;
  /** True labels, one per image. */
  readonly labels: ClassIndices;
  /** Pixel order: relevance maps of these images, `'random'`, or a ranking. */
  readonly order: PixelOrder;
  /** Percentages of pixels to keep; default `KEEP_TOP_K_PERCENTS`. */
  readonly percents?: readonly number[];
}

/** Accuracy after keeping only the top k % pixels, per k. */
export interface KeepTopKResult {
  readonly percents: readonly number[];
  /** Pixels kept per image for each k: `round(k/100 · h·w)`. */
  readonly pixelsKept: readonly number[];
  /** Fraction of images classified as their true label, per k. */
  readonly accuracy: readonly number[];
  /**
   * Per k, per image: 1 where the image was classified as its true label. Two methods' rows at the
   * same k pair up image by image (a McNemar test); their sum over images is `accuracy · samples`.
   */
  readonly correct: readonly Uint8Array[];
  /** Images evaluated. */
  readonly samples: number;
}

/**
 * Keep-top-k accuracy (the R-LRP paper's headline metric): per image keep the k % highest-ranked
 * pixels (all channels), set every other pixel to the baseline, re-classify, and compare with the
 * true label. Runs in batches; the number of forward passes is `ceil(n / batchSize) · |percents|`.
 *
 * @throws EvaluationOptionError for an empty batch, a percent outside (0, 100], a bad batch size,
 *   seed or baseline; ClassIndexError for a label that is not a class of the classifier;
 *   PixelRankingError for a ranking that is not a permutation of each image's pixels.
 */
export function keepTopKAccuracy(options: KeepTopKOptions): KeepTopKResult {
  const { classifier, images } = options;
  checkImages(images);
  const [n, h, w, c] = images.shape;
  const pixels = h * w;
  const percents = options.percents ?? KEEP_TOP_K_PERCENTS;
  checkPercents(percents);
  checkBaseline(options.baseline, [n, h, w, c]);
  const batchSize = resolveBatchSize(options.batchSize);
  const labels = toIndexArray(options.labels, n, 'labels', classCount(classifier, images));
  const ranking = resolveRanking(options.order, [n, h, w, c], options.seed, options.firstSample);
  const baseline = options.baseline ?? 0;
  const pixelsKept = percents.map((k) => Math.round((k / 100) * pixels));
  const correct = percents.map(() => new Uint8Array(n));
  const batches = Math.ceil(n / batchSize);
  for (let b = 0; b < batches; b++) {
    const from = b * batchSize;
    const to = Math.min(n, from + batchSize);
    const batch = images.slice([from, 0, 0, 0], [to - from, h, w, c]);
    const masks = new GrowingRankingMask(ranking, pixels, from, to, true);
    pixelsKept.forEach((count, ki) => {
      const mask = masks.first(count);
      const predicted = readComputed(() => {
        const masked = applyPixelMask(batch, mask, baseline);
        return classify(classifier, masked).argMax(1);
      });
      for (let s = from; s < to; s++) if (predicted[s - from] === labels[s]) correct[ki][s] = 1;
    });
    batch.dispose();
    options.onProgress?.({ stage: 'keep-top-k', done: b + 1, total: batches });
  }
  return { percents, pixelsKept, accuracy: accuracyPerK(correct), correct, samples: n };
}

/** Fraction of images classified right, per k, from the per-image hits (`KeepTopKResult.correct`). */
export function accuracyPerK(correct: readonly Uint8Array[]): number[] {
  return correct.map((hits) => hits.reduce((sum, hit) => sum + hit, 0) / hits.length);
}
