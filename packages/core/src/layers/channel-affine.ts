import * as tf from '@tensorflow/tfjs';
import { DerivedParams } from './derived-params';
import type { LinearOp, LinearParams } from './linear-op';

/**
 * An inference-mode BatchNormalization that could not be folded into a preceding layer, seen as
 * the per-channel linear layer `z = w ⊙ a + b` with `w = γ/√(σ²+ε)` and `b = β − μ·w`.
 */
export class ChannelAffineOp implements LinearOp {
  /** Rewritten parameters rules ask for (w⁺, w², …), kept with the layer. */
  readonly derived: DerivedParams;

  constructor(readonly params: LinearParams) {
    this.derived = new DerivedParams(params);
  }

  forward(a: tf.Tensor, p: LinearParams = this.params): tf.Tensor {
    return tf.tidy(() => {
      const z = a.mul(p.weight);
      return p.bias ? z.add(p.bias) : z;
    });
  }

  transpose(
    s: tf.Tensor,
    _inputShape: readonly number[],
    p: LinearParams = this.params,
  ): tf.Tensor {
    return s.mul(p.weight);
  }

  dispose(): void {
    this.derived.dispose();
    this.params.weight.dispose();
    this.params.bias?.dispose();
  }
}
