import * as tf from '@tensorflow/tfjs';
import { nativeKernelsActive } from '../engine/native-kernels';
import { stabilisedRatioNatively } from '../engine/native-stabilised-ratio';

/** The stabiliser every classical rule except LRP-0 uses: `d + ε·sign(d)` with sign(0) = +1. */
export const DEFAULT_STABILISER = 1e-6;

/** `d + ε·sign(d)` with sign(0) = +1, so the result is never 0 for ε > 0. `ε = 0` returns `d` (LRP-0). */
export function stabilise(d: tf.Tensor, epsilon: number | tf.Tensor): tf.Tensor {
  if (typeof epsilon === 'number' && epsilon === 0) return d;
  // step(−d, −1) is −1 where d ≥ 0 and +1 where d < 0, i.e. −sign(d) with sign(0) = +1. Two cheap
  // elementwise kernels instead of a `where` over three full-size tensors (half the time on wasm).
  // Each temporary goes as soon as it is read: at most two of d's size live at once (on wasm the
  // heap keeps its high-water mark; docs/performance.md, memory).
  return tf.tidy(() => {
    const negated = tf.neg(d);
    const minusSign = tf.step(negated, -1);
    negated.dispose();
    const shift = minusSign.mul(epsilon);
    minusSign.dispose();
    return d.sub(shift);
  });
}

/**
 * `r / stabilise(d, ε)`: the ratio every classical rule sends back through a layer. With the native
 * kernels and a number ε ≠ 0 it is one native pass with the same values
 * (engine/native-stabilised-ratio.ts); otherwise tfjs' kernels.
 */
export function stabilisedRatio(
  r: tf.Tensor,
  d: tf.Tensor,
  epsilon: number | tf.Tensor,
): tf.Tensor {
  const native =
    typeof epsilon === 'number' &&
    epsilon !== 0 &&
    nativeKernelsActive() &&
    r.dtype === 'float32' &&
    d.dtype === 'float32' &&
    r.size > 0 &&
    tf.util.arraysEqual(r.shape, d.shape);
  if (native) return stabilisedRatioNatively(r, d, epsilon);
  return tf.tidy(() => r.div(stabilise(d, epsilon)));
}

/** The classical Add split `R_{u_i} = u_i / (y + ε·sign(y)) · R_y`. */
export function classicalAddSplit(
  inputs: readonly tf.Tensor[],
  output: tf.Tensor,
  relevance: tf.Tensor,
  epsilon: number | tf.Tensor,
): tf.Tensor[] {
  return tf.tidy(() => {
    const ratio = stabilisedRatio(relevance, output, epsilon);
    return inputs.map((u) => u.mul(ratio));
  });
}

/** Classical rules start from the target logit itself: `onehot · f_target(x)`. */
export function classicalStart(logits: tf.Tensor2D, selection: tf.Tensor2D): tf.Tensor2D {
  return logits.mul(selection);
}
