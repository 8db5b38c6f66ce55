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
  return new GrowingRankingMask(ranking, pixels, from, to, keepFirst).first(count);
}

/**
 * The {@link rankingMask}s of one batch for growing counts, in one array that each call updates:
 * it flips only the pixels added since the last call (a smaller count starts over). A deletion
 * curve's steps flip each pixel once, not once per step. A mask is valid until the next call, so
 * whatever is computed from it must be done by then (every metric reads its scores at once).
 */
export class GrowingRankingMask {
  private readonly mask: Float32Array;
  private count = 0;

  constructor(
    private readonly ranking: Int32Array,
    private readonly pixels: number,
    private readonly from: number,
    private readonly to: number,
    private readonly keepFirst: boolean,
  ) {
    this.mask = new Float32Array((to - from) * pixels);
    this.startOver();
  }

  /** The mask that flips the first `count` pixels of each sample's ranking. */
  first(count: number): Float32Array {
    if (count < this.count) this.startOver();
    const flipped = this.keepFirst ? 1 : 0;
    for (let s = this.from; s < this.to; s++) {
      const out = (s - this.from) * this.pixels;
      const rank = s * this.pixels;
      for (let i = this.count; i < count; i++) this.mask[out + this.ranking[rank + i]] = flipped;
    }
    this.count = count;
    return this.mask;
  }

  private startOver(): void {
    this.mask.fill(this.keepFirst ? 0 : 1);
    this.count = 0;
  }
}
