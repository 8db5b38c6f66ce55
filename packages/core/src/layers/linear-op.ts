import * as tf from '@tensorflow/tfjs';
import type { DerivedParams } from './derived-params';

/**
 * The parameters of an affine map `z = W a + b`. Rules rewrite them (LRP-γ adds γw⁺, z⁺ keeps w⁺, …)
 * and hand the rewritten copy back to the same operation, so a rule never needs to know whether the
 * layer is a Dense, a convolution or a pooling layer.
 */
export interface LinearParams {
  /** The weights in the layout the operation expects (Dense kernel, Conv2D kernel, …). */
  readonly weight: tf.Tensor;
  /** The bias, or `null` when the layer has none (or a rule ignores it). */
  readonly bias: tf.Tensor | null;
}

/**
 * An affine layer seen as the pair of maps every LRP rule is built from: the forward map and its
 * transpose. Dense, Conv2D, DepthwiseConv2D, average pooling and an unfolded BatchNormalization all
 * implement it.
 */
export interface LinearOp {
  /** The layer's own parameters. */
  readonly params: LinearParams;
  /** Its parameter-free rewrites (w⁺, w⁻, w², ones), made once and kept until `dispose`. */
  readonly derived: DerivedParams;
  /** `W a + b` with the given parameters (the layer's own by default). */
  forward(a: tf.Tensor, params?: LinearParams): tf.Tensor;
  /** `Wᵀ s`: the transposed map (the gradient of `forward` with respect to `a`, applied to `s`). */
  transpose(s: tf.Tensor, inputShape: readonly number[], params?: LinearParams): tf.Tensor;
  /** Release tensors the operation created (folded weights, cached kernels). */
  dispose(): void;
}

/** Rewrites weight and bias with one function each; `null` drops the bias. */
export function mapParams(
  params: LinearParams,
  mapWeight: (w: tf.Tensor) => tf.Tensor,
  mapBias: ((b: tf.Tensor) => tf.Tensor) | null,
): LinearParams {
  return {
    weight: mapWeight(params.weight),
    bias: params.bias && mapBias ? mapBias(params.bias) : null,
  };
}
