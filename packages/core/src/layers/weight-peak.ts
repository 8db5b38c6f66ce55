import * as tf from '@tensorflow/tfjs';

/** What the engine needs to know of a weight tensor's values before it computes with it. */
export interface WeightPeak {
  /** `max |w|` (0 for an all-zero or empty tensor). */
  readonly peak: number;
  /** Whether every value is finite (no NaN, no ±Infinity). */
  readonly finite: boolean;
}

/*
 * Keyed by the tensor's data object, not the tensor: a Variable gets new data on every assign
 * (training, setWeights, loading), so a stale entry is never found again, and the same weights seen
 * through another graph of the same model (prepare() builds one per call) are read only once —
 * reading VGG16's 138 M weights costs about 100 ms.
 */
const peaks = new WeakMap<object, WeightPeak>();

/** `max |w|` and finiteness of a weight tensor, read from the device once per tensor data. */
export function weightPeakOf(weight: tf.Tensor): WeightPeak {
  const key = weight.dataId;
  let known = peaks.get(key);
  if (!known) {
    const [peak, nonFinite] = tf.tidy(() => {
      if (weight.size === 0) return [0, 0];
      // w·0 is NaN exactly where w is NaN or ±Infinity; a max would skip NaN on some engines.
      const flags = tf.stack([tf.max(tf.abs(weight)), tf.sum(weight.mul(0))]);
      return Array.from(flags.dataSync());
    });
    known = { peak, finite: Number.isFinite(peak) && Number.isFinite(nonFinite) };
    peaks.set(key, known);
  }
  return known;
}
