import * as tf from '@tensorflow/tfjs';
import { EvaluationOptionError } from '../errors';
import { randomRankings } from './seeded-random';
import { sortByKey } from './sort-by-key';

/** Relevance maps as a tensor or a flat typed array (NHWC, or NHW when already summed over channels). */
export type RelevanceMaps = tf.Tensor | Float32Array | Float64Array;

/** Image geometry of a batch: `[samples, height, width, channels]`. */
export type BatchShape = readonly [number, number, number, number];

/** Default seed of the random ranking and of tie-breaking. */
export const DEFAULT_RANKING_SEED = 12345;

/**
 * Per-pixel scores: relevance summed over channels (signed), one `height·width` block per sample.
 * Accepts maps shaped like the images (`n·h·w·c` values) or already channel-summed (`n·h·w`).
 * @throws EvaluationOptionError when the number of values fits neither.
 */
export function pixelScores(relevance: RelevanceMaps, shape: BatchShape): Float32Array {
  const [n, h, w, c] = shape;
  const values =
    relevance instanceof tf.Tensor ? (relevance.dataSync() as Float32Array) : relevance;
  const pixels = n * h * w;
  if (values.length === pixels) return Float32Array.from(values);
  if (values.length !== pixels * c) {
    throw new EvaluationOptionError(
      'relevance values',
      values.length,
      `${pixels * c} (per channel) or ${pixels} (summed over channels) for the images [${shape.join(', ')}]`,
      'Pass the relevance of the same batch.',
    );
  }
  const scores = new Float32Array(pixels);
  for (let p = 0; p < pixels; p++) {
    let sum = 0;
    for (let ch = 0; ch < c; ch++) sum += values[p * c + ch];
    scores[p] = sum;
  }
  return scores;
}

/**
 * Rank the pixels of every sample by score, highest first. Ties (e.g. the many exact zeros on an
 * MNIST background) are broken by the sample's seeded random permutation, so a constant map ranks
 * exactly like the random baseline instead of favouring the top-left corner. NaN counts as −∞.
 * Returned flat: pixel indices of sample i, best first, at `[i·pixels, (i+1)·pixels)`.
 * `firstSample`: where these samples start in a larger set (see `randomRankings`), so that a slice
 * breaks ties exactly as the whole set does.
 */
export function rankPixels(
  scores: Float32Array,
  samples: number,
  pixels: number,
  seed = DEFAULT_RANKING_SEED,
  firstSample = 0,
): Int32Array {
  if (scores.length !== samples * pixels) {
    throw new EvaluationOptionError(
      'scores.length',
      scores.length,
      `${samples * pixels} (${samples} samples × ${pixels} pixels)`,
    );
  }
  // Each sample's pixels in the order of its random permutation, their tie order: a stable sort
  // by score, highest first, breaks ties by that order.
  const ranking = randomRankings(samples, pixels, seed, firstSample);
  const bits = new Uint32Array(scores.buffer, scores.byteOffset, scores.length);
  const keys = new Uint32Array(pixels);
  const spare = { items: new Int32Array(pixels), keys: new Uint32Array(pixels) };
  for (let base = 0; base < samples * pixels; base += pixels) {
    const order = ranking.subarray(base, base + pixels);
    for (let i = 0; i < pixels; i++) {
      const pixel = base + order[i];
      keys[i] = descendingKey(scores[pixel], bits[pixel]);
    }
    sortByKey(order, keys, spare);
  }
  return ranking;
}

/** The float32 bits of −Infinity, where NaN ranks. */
const MINUS_INFINITY_BITS = 0xff800000;
const SIGN_BIT = 0x80000000;

/**
 * An unsigned 32-bit key of a float32 score `value` (its bits `bits`) that orders scores highest
 * first: NaN as −∞, −0 as +0. Positive floats order as their bits do, negative ones reversed; the
 * sign bit is flipped to put them below, then the whole key is complemented.
 */
function descendingKey(value: number, bits: number): number {
  const canonical = Number.isNaN(value) ? MINUS_INFINITY_BITS : value === 0 ? 0 : bits;
  const ascending = canonical & SIGN_BIT ? ~canonical : canonical | SIGN_BIT;
  return ~ascending >>> 0;
}

/**
 * Rankings that ignore relevance: the seeded random baseline. `firstSample`: where these samples
 * start in a larger set (see `randomRankings`).
 */
export function randomPixelRanking(
  samples: number,
  pixels: number,
  seed = DEFAULT_RANKING_SEED,
  firstSample = 0,
): Int32Array {
  return randomRankings(samples, pixels, seed, firstSample);
}
