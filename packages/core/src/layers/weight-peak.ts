import * as tf from '@tensorflow/tfjs';
import { readComputed } from '../read-computed';

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
    known = weight.size === 0 ? { peak: 0, finite: true } : measure(weight);
    peaks.set(key, known);
  }
  return known;
}

/*
 * Only full reductions of the weights themselves, never an elementwise temporary: on wasm the heap
 * never shrinks, and `|w|` plus `w·0` of VGG16's 25088×4096 kernel made 822 MB of it for good (the
 * largest part of an explanation's peak memory). `max |w| = max(max w, −min w)`; a sum is NaN or
 * infinite when any value is NaN or ±Infinity (a max can skip NaN on some engines, a sum cannot).
 */
function measure(weight: tf.Tensor): WeightPeak {
  const [max, min, sum] = readComputed(() =>
    tf.stack([tf.max(weight), tf.min(weight), tf.sum(weight)]),
  );
  const peak = Math.max(max, -min);
  if (Number.isFinite(peak) && Number.isFinite(sum)) return { peak, finite: true };
  if (!Number.isFinite(peak) || Number.isNaN(sum)) return { peak, finite: false };
  // Finite extremes but an infinite sum: finite values whose float32 sum overflowed, or a NaN the
  // extremes skipped. Rare enough for the exact test: w·0 is NaN exactly where w is not finite.
  const nonFinite = tf.tidy(() => tf.sum(weight.mul(0)).dataSync()[0]);
  return { peak, finite: Number.isFinite(nonFinite) };
}
