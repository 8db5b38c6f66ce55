import * as tf from '@tensorflow/tfjs';
import type { LinearContext, Rule } from './rule';

/** Per-sample L1 mass `Σ|R|` over every axis but the batch axis: shape `[batch]`. */
export function massPerSample(r: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.abs(r).reshape([r.shape[0], -1]).sum(1) as tf.Tensor1D);
}

/** A per-sample factor `[batch]` shaped to broadcast against a tensor of rank `rank`. */
function perSample(factor: tf.Tensor1D, rank: number): tf.Tensor {
  return factor.reshape([factor.shape[0], ...new Array<number>(rank - 1).fill(1)]);
}

/**
 * R-LRP — Relative LRP, as specified in docs/rules.md, "R-LRP as specified here" (a reconstruction
 * from the paper's abstract).
 *
 * - start: `onehot(target) · |f_target(x)|` — positive relevance is evidence for the target;
 * - linear layer: `R_in = a ⊙ (Wᵀ R_out)` — no bias share and no denominator;
 * - then renormalise so that `‖R_in‖₁ = ‖R_out‖₁` per sample (zeros if all relevance vanished);
 * - Add `y = Σ u_i`: `R_{u_i} = u_i / y ⊙ R_y`, split evenly where `y = 0` — the one division by a
 *   possibly small value, the paper's stated exception at skip connections.
 *
 * It has no parameter at all (property P1).
 */
export function rlrp(): Rule {
  return {
    name: 'rlrp',
    description: 'R-LRP',
    propagates: 'relevance',
    uniformOnly: true,
    initialRelevance: (logits, selection) => tf.tidy(() => tf.abs(logits).mul(selection)),
    linear: (context: LinearContext, relevance: tf.Tensor) =>
      tf.tidy(() => {
        const messages = context.input.mul(context.op.transpose(relevance, context.input.shape));
        const massIn = massPerSample(messages);
        const massOut = massPerSample(relevance);
        // The only division: by a layer-wide mass, zero only when all relevance vanished.
        const scale = tf.where(
          massIn.greater(0),
          massOut.div(tf.where(massIn.greater(0), massIn, 1)),
          0,
        );
        return messages.mul(perSample(scale as tf.Tensor1D, messages.rank));
      }),
    add: (inputs, output, relevance) =>
      tf.tidy(() => {
        // A 0/1 factor rather than tf.where: where copies all three of its operands on wasm (tfjs
        // broadcasts them first) and comparisons are slow there, so there is one, for y = 0.
        const isZero = output.equal(0).cast('float32');
        const zeroShare = relevance.mul(isZero); // R_y where y = 0, else 0
        const share = relevance.div(output.add(isZero)).sub(zeroShare); // R_y / y, 0 where y = 0
        const even = zeroShare.div(inputs.length); // R_y / n where y = 0
        return inputs.map((u) => u.mul(share).add(even));
      }),
  };
}
