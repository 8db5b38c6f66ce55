import * as tf from '@tensorflow/tfjs';

/** The stabiliser every classical rule except LRP-0 uses: `d + ε·sign(d)` with sign(0) = +1. */
export const DEFAULT_STABILISER = 1e-6;

/** `d + ε·sign(d)` with sign(0) = +1, so the result is never 0 for ε > 0. `ε = 0` returns `d` (LRP-0). */
export function stabilise(d: tf.Tensor, epsilon: number | tf.Tensor): tf.Tensor {
  if (typeof epsilon === 'number' && epsilon === 0) return d;
  return tf.tidy(() => tf.where(d.greaterEqual(0), d.add(epsilon), d.sub(epsilon)));
}

/** The classical Add split `R_{u_i} = u_i / (y + ε·sign(y)) · R_y`. */
export function classicalAddSplit(
  inputs: readonly tf.Tensor[],
  output: tf.Tensor,
  relevance: tf.Tensor,
  epsilon: number | tf.Tensor,
): tf.Tensor[] {
  return tf.tidy(() => {
    const ratio = relevance.div(stabilise(output, epsilon));
    return inputs.map((u) => u.mul(ratio));
  });
}

/** Classical rules start from the target logit itself: `onehot · f_target(x)`. */
export function classicalStart(logits: tf.Tensor2D, selection: tf.Tensor2D): tf.Tensor2D {
  return logits.mul(selection);
}
