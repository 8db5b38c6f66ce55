import * as tf from '@tensorflow/tfjs';
import { EvaluationOptionError } from '../errors';

/**
 * The value a removed pixel takes: a number for every channel (default 0), or a tensor broadcastable
 * to one image `[height, width, channels]` — e.g. the dataset's mean image or per-channel mean.
 */
export type PixelBaseline = number | tf.Tensor;

/**
 * Keep the pixels flagged in `keep` (1 = keep, 0 = replace; one value per pixel, all channels of a
 * pixel share it) and set the others to `baseline`. The caller owns the result.
 */
export function applyPixelMask(
  images: tf.Tensor4D,
  keep: Float32Array,
  baseline: PixelBaseline,
): tf.Tensor4D {
  const [n, h, w] = images.shape;
  if (keep.length !== n * h * w) {
    throw new EvaluationOptionError('keep.length', keep.length, `${n * h * w}, one per pixel`);
  }
  return tf.tidy(() => {
    const mask = tf.tensor4d(keep, [n, h, w, 1]);
    const kept = images.mul(mask);
    if (typeof baseline === 'number' && baseline === 0) return kept as tf.Tensor4D;
    const fill = tf.scalar(1).sub(mask).mul(baseline);
    return kept.add(fill) as tf.Tensor4D;
  });
}

/**
 * Mask for samples `[from, to)` that keeps, per sample, the first `count` pixels of its ranking
 * (`keepFirst = true`) or everything except them (`keepFirst = false`).
 */
export function rankingMask(
  ranking: Int32Array,
  pixels: number,
  from: number,
  to: number,
  count: number,
  keepFirst: boolean,
): Float32Array {
  const mask = new Float32Array((to - from) * pixels).fill(keepFirst ? 0 : 1);
  for (let s = from; s < to; s++) {
    const out = (s - from) * pixels;
    const rank = s * pixels;
    for (let i = 0; i < count; i++) mask[out + ranking[rank + i]] = keepFirst ? 1 : 0;
  }
  return mask;
}
