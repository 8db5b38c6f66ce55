import * as tf from '@tensorflow/tfjs';
import type { LinearOp, LinearParams } from './linear-op';

/** A Dense layer `z = a K + b` on `[batch, in]` inputs. */
export class DenseOp implements LinearOp {
  constructor(
    readonly params: LinearParams,
    /** Tensors this op owns (e.g. a kernel folded with batch norm) and must dispose. */
    private readonly owned: tf.Tensor[] = [],
  ) {}

  forward(a: tf.Tensor, p: LinearParams = this.params): tf.Tensor {
    return tf.fused.matMul({
      a: a as tf.Tensor2D,
      b: p.weight as tf.Tensor2D,
      bias: p.bias ?? undefined,
    });
  }

  transpose(
    s: tf.Tensor,
    _inputShape: readonly number[],
    p: LinearParams = this.params,
  ): tf.Tensor {
    return tf.matMul(s as tf.Tensor2D, p.weight as tf.Tensor2D, false, true);
  }

  dispose(): void {
    for (const t of this.owned) t.dispose();
  }
}
