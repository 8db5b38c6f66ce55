import * as tf from '@tensorflow/tfjs';
import { nativeKernelsActive } from '../engine/native-kernels';
import { massPerSampleNatively } from '../engine/native-mass-per-sample';

/*
 * Per-sample rescaling to unit scale, for rules that must stay finite at every float32 scale.
 *
 * Dividing by the peak (never multiplying by its reciprocal) is what makes this safe at both ends:
 * the reciprocal of a denormal peak such as 1e-40 overflows to Infinity, while x / peak is at most
 * 1 in magnitude for every x of the sample.
 */

/** Per-sample `max |x|` over every axis but the batch axis: shape `[batch]`. */
export function peakPerSample(x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.abs(x).reshape([x.shape[0], -1]).max(1) as tf.Tensor1D);
}

/**
 * Per-sample L1 mass `Σ|x|` over every axis but the batch axis: shape `[batch]`. This is the mass a
 * trace reports (`TraceLayer.mass`), on every thread with the native kernels (in a fixed order of
 * their own), else as tfjs' absolute value and sum.
 *
 * @param x - a tensor whose first axis is the batch (rank ≥ 1).
 */
export function massPerSample(x: tf.Tensor): tf.Tensor1D {
  if (nativeKernelsActive() && x.dtype === 'float32' && x.shape[0] > 0) {
    return massPerSampleNatively(x);
  }
  return tf.tidy(() => tf.abs(x).reshape([x.shape[0], -1]).sum(1) as tf.Tensor1D);
}

/** A per-sample factor `[batch]` shaped to broadcast against a tensor of rank `rank`. */
export function perSample(factor: tf.Tensor1D, rank: number): tf.Tensor {
  return factor.reshape([factor.shape[0], ...new Array<number>(rank - 1).fill(1)]);
}

/** `divisor` where it is positive, 1 elsewhere (an all-zero sample stays all zero). */
function positiveOrOne(divisor: tf.Tensor1D): tf.Tensor1D {
  return tf.where(divisor.greater(0), divisor, tf.onesLike(divisor));
}

/** `x / d` per sample, with samples whose `d` is 0 left unchanged (they are all zero). */
export function dividePerSample(x: tf.Tensor, d: tf.Tensor1D): tf.Tensor {
  return tf.tidy(() => x.div(perSample(positiveOrOne(d), x.rank)));
}

/** `x` scaled per sample so that its largest magnitude is 1, and the peaks it was divided by. */
export function toUnitScale(x: tf.Tensor): {
  readonly unit: tf.Tensor;
  readonly peak: tf.Tensor1D;
} {
  return tf.tidy(() => {
    const peak = peakPerSample(x);
    return { unit: dividePerSample(x, peak), peak };
  });
}
