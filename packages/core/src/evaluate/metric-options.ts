import * as tf from '@tensorflow/tfjs';
import { ClassIndexError, EvaluationOptionError, PixelRankingError } from '../errors';
import type { PixelBaseline } from './masking';
import { resolveFirstSample } from './seeded-random';
import {
  DEFAULT_RANKING_SEED,
  pixelScores,
  randomPixelRanking,
  rankPixels,
  type BatchShape,
  type RelevanceMaps,
} from './pixel-ranking';

/** Progress of a long evaluation: `done` of `total` units of `stage`. */
export interface EvaluationProgress {
  /** What is running, e.g. `keep-top-k` or `deletion` (prefixed by the method in comparisons). */
  readonly stage: string;
  readonly done: number;
  readonly total: number;
}

/** Called after every batch. */
export type ProgressCallback = (progress: EvaluationProgress) => void;

/**
 * How the pixels are ordered: relevance maps of the batch (ranked highest first), `'random'` (the
 * seeded baseline), or a precomputed ranking from `rankPixels`.
 */
export type PixelOrder = RelevanceMaps | 'random' | { readonly ranking: Int32Array };

/** Labels or targets, one per sample. */
export type ClassIndices = readonly number[] | Int32Array | tf.Tensor1D;

/** Options shared by the metrics. */
export interface CommonMetricOptions {
  /** Value of removed pixels; default 0. */
  readonly baseline?: PixelBaseline;
  /** Samples per forward pass; default 64. */
  readonly batchSize?: number;
  /** Seed of the random ranking and of tie-breaking; default 12345. */
  readonly seed?: number;
  /**
   * Index of the first image in the whole evaluated set (e.g. the test split); default 0. Image i
   * gets the random permutation (baseline and tie-breaking) of image `firstSample + i`, so a slice
   * `[start, end)` evaluated with `firstSample: start` gives exactly the per-image results of the
   * same images in a run over the whole set.
   */
  readonly firstSample?: number;
  /** Progress after every batch. */
  readonly onProgress?: ProgressCallback;
}

/** The ranking of every sample's pixels for an order, flat `[samples · pixels]`. */
export function resolveRanking(
  order: PixelOrder,
  shape: BatchShape,
  seed: number = DEFAULT_RANKING_SEED,
  firstSample = 0,
): Int32Array {
  const [n, h, w] = shape;
  const pixels = h * w;
  const checkedSeed = resolveSeed(seed);
  const first = resolveFirstSample(firstSample);
  if (order === 'random') return randomPixelRanking(n, pixels, checkedSeed, first);
  if (typeof order === 'string') {
    throw new EvaluationOptionError(
      'order',
      order,
      "'random', relevance maps of the images, or { ranking } from rankPixels()",
    );
  }
  if (typeof order === 'object' && 'ranking' in order) {
    checkRanking(order.ranking, n, pixels);
    return order.ranking;
  }
  return rankPixels(pixelScores(order, shape), n, pixels, checkedSeed, first);
}

/**
 * Checks that a ranking lists, for every sample, each of its pixels exactly once: an index outside
 * the image or a repeated one would keep or remove the wrong number of pixels without any sign.
 * @throws EvaluationOptionError for a wrong length, PixelRankingError for a bad entry.
 */
export function checkRanking(ranking: ArrayLike<number>, samples: number, pixels: number): void {
  if (ranking.length !== samples * pixels) {
    throw new EvaluationOptionError(
      'ranking.length',
      ranking.length,
      `${samples * pixels} entries (${samples} images × ${pixels} pixels)`,
      'Rank the pixels of the same batch that is evaluated.',
    );
  }
  const seen = new Uint32Array(pixels); // seen[p] = 1 + the last sample that listed pixel p
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < pixels; i++) {
      const pixel = ranking[s * pixels + i];
      if (!Number.isInteger(pixel)) {
        throw new PixelRankingError(s, i, pixel, pixels, 'not an integer');
      }
      if (pixel < 0 || pixel >= pixels) {
        throw new PixelRankingError(s, i, pixel, pixels, 'outside the image');
      }
      if (seen[pixel] === s + 1) throw new PixelRankingError(s, i, pixel, pixels, 'a duplicate');
      seen[pixel] = s + 1;
    }
  }
}

/**
 * Class indices as a plain array, checked against the batch size and the classifier's classes.
 * @param what - `labels` or `targets`, for the error messages.
 * @throws EvaluationOptionError for the wrong count, ClassIndexError for an index that is not a class.
 */
export function toIndexArray(
  indices: ClassIndices,
  samples: number,
  what: string,
  classes: number,
): number[] {
  const values =
    indices instanceof tf.Tensor ? Array.from(indices.dataSync()) : Array.from(indices);
  if (values.length !== samples) {
    throw new EvaluationOptionError(
      `${what}.length`,
      values.length,
      `${samples}, one per image`,
      `Got ${values.length} ${what} for ${samples} images; pass one per image.`,
    );
  }
  values.forEach((index, sample) => {
    if (!(Number.isInteger(index) && index >= 0 && index < classes)) {
      throw new ClassIndexError(what, sample, index, classes);
    }
  });
  return values;
}

/** Images per forward pass of the metrics when no `batchSize` is given. */
export const DEFAULT_METRIC_BATCH_SIZE = 64;

/** Checked batch size: a positive integer, `fallback` when not given; `option` names it in errors. */
export function resolveBatchSize(
  batchSize: number | undefined,
  fallback = DEFAULT_METRIC_BATCH_SIZE,
  option = 'batchSize',
): number {
  const size = batchSize ?? fallback;
  if (!Number.isInteger(size) || size < 1) {
    throw new EvaluationOptionError(option, size, 'a positive integer');
  }
  return size;
}

/** Checked seed: any safe integer (the generator uses its low 32 bits). */
export function resolveSeed(seed: number | undefined): number {
  const value = seed ?? DEFAULT_RANKING_SEED;
  if (!Number.isSafeInteger(value)) {
    throw new EvaluationOptionError(
      'seed',
      value,
      'an integer',
      'Two non-integer seeds could silently give the same ranking.',
    );
  }
  return value;
}

/**
 * Checks an image batch for the metrics: `[n, h, w, c]` with at least one image (an empty batch has
 * no accuracy: 0/0).
 */
export function checkImages(images: tf.Tensor4D): void {
  if (!(images instanceof tf.Tensor) || images.rank !== 4) {
    throw new EvaluationOptionError(
      'images',
      images instanceof tf.Tensor ? `a tensor of shape [${images.shape.join(', ')}]` : images,
      'a batch [n, height, width, channels]',
      'Add the batch axis with expandDims(0) for one image.',
    );
  }
  if (images.shape[0] === 0) {
    throw new EvaluationOptionError('images', 'an empty batch', 'at least one image');
  }
}

/**
 * Checks the value of removed pixels: a finite number, or a tensor that broadcasts to one image
 * `[h, w, c]` (each of its trailing dimensions 1 or the image's; an extra leading axis of 1 is fine).
 */
export function checkBaseline(baseline: PixelBaseline | undefined, shape: BatchShape): void {
  if (baseline === undefined) return;
  const image = shape.slice(1);
  if (typeof baseline === 'number') {
    if (!Number.isFinite(baseline)) {
      throw new EvaluationOptionError('baseline', baseline, 'a finite number or a tensor');
    }
    return;
  }
  // A leading batch axis of 1 ([1, h, w, c], e.g. a mean image kept as a batch) broadcasts too.
  const target = baseline instanceof tf.Tensor && baseline.rank === 4 ? [1, ...image] : image;
  const fits =
    baseline instanceof tf.Tensor &&
    baseline.rank <= 4 &&
    baseline.shape.every((d, i) => d === 1 || d === target[target.length - baseline.rank + i]);
  if (!fits) {
    throw new EvaluationOptionError(
      'baseline',
      baseline instanceof tf.Tensor ? `a tensor of shape [${baseline.shape.join(', ')}]` : baseline,
      `a finite number or a tensor broadcastable to one image [${image.join(', ')}]`,
      'Pass e.g. the mean image [h, w, c] or the per-channel mean [c].',
    );
  }
}

/**
 * Checked keep-top-k percentages: at least one, each in (0, 100] (keeping 0 % of the pixels leaves
 * nothing to rank).
 */
export function checkPercents(percents: readonly number[]): void {
  if (!Array.isArray(percents) || percents.length === 0) {
    throw new EvaluationOptionError('percents', percents, 'a non-empty list of percentages');
  }
  percents.forEach((k, i) => {
    if (!(k > 0 && k <= 100)) {
      throw new EvaluationOptionError(`percents[${i}]`, k, 'a percentage in (0, 100]');
    }
  });
}
