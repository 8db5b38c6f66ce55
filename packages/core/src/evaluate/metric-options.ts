import * as tf from '@tensorflow/tfjs';
import { RlrpError } from '../errors';
import type { PixelBaseline } from './masking';
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
  /** Progress after every batch. */
  readonly onProgress?: ProgressCallback;
}

/** The ranking of every sample's pixels for an order, flat `[samples · pixels]`. */
export function resolveRanking(
  order: PixelOrder,
  shape: BatchShape,
  seed = DEFAULT_RANKING_SEED,
): Int32Array {
  const [n, h, w] = shape;
  const pixels = h * w;
  if (order === 'random') return randomPixelRanking(n, pixels, seed);
  if (typeof order === 'object' && 'ranking' in order) {
    if (order.ranking.length !== n * pixels) {
      throw new RlrpError(
        `A ranking of ${order.ranking.length} entries does not fit ${n} samples of ${pixels} pixels.`,
      );
    }
    return order.ranking;
  }
  return rankPixels(pixelScores(order, shape), n, pixels, seed);
}

/** Class indices as a plain array, checked against the batch size. */
export function toIndexArray(indices: ClassIndices, samples: number, what: string): number[] {
  const values =
    indices instanceof tf.Tensor ? Array.from(indices.dataSync()) : Array.from(indices);
  if (values.length !== samples) {
    throw new RlrpError(`Got ${values.length} ${what} for ${samples} images; pass one per image.`);
  }
  return values;
}

/** Checked batch size. */
export function resolveBatchSize(batchSize: number | undefined): number {
  const size = batchSize ?? 64;
  if (!Number.isInteger(size) || size < 1) {
    throw new RlrpError(`batchSize must be a positive integer, got ${size}.`);
  }
  return size;
}
