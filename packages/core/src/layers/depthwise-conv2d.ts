import * as tf from '@tensorflow/tfjs';
import { DerivedParams } from './derived-params';
import type { LinearOp, LinearParams } from './linear-op';
import { flipSpatially, spreadOntoInputGrid, type WindowGeometry } from './window-transpose';

/**
 * A DepthwiseConv2D layer (channels last): kernel `[kh, kw, C, m]`, output channel `c·m + q` reads
 * input channel `c` only. Average pooling is the same operation with a constant kernel 1/N.
 */
export class DepthwiseConv2DOp implements LinearOp {
  /** Rewritten parameters rules ask for (w⁺, w², …), kept with the layer. */
  readonly derived: DerivedParams;

  constructor(
    readonly params: LinearParams,
    readonly geometry: WindowGeometry,
    private readonly owned: tf.Tensor[] = [],
  ) {
    this.derived = new DerivedParams(params);
  }

  forward(a: tf.Tensor, p: LinearParams = this.params): tf.Tensor {
    const g = this.geometry;
    return tf.tidy(() => {
      const padded = (a as tf.Tensor4D).pad([
        [0, 0],
        g.padding[0] as [number, number],
        g.padding[1] as [number, number],
        [0, 0],
      ]);
      const z = tf.depthwiseConv2d(
        padded as tf.Tensor4D,
        p.weight as tf.Tensor4D,
        g.strides as [number, number],
        'valid',
        'NHWC',
        g.dilations as [number, number],
      );
      return p.bias ? z.add(p.bias) : z;
    });
  }

  transpose(s: tf.Tensor, inputShape: readonly number[], p: LinearParams = this.params): tf.Tensor {
    return tf.tidy(() => {
      const [, , channels, multiplier] = p.weight.shape;
      const spread = spreadOntoInputGrid(
        s as tf.Tensor4D,
        inputShape[1],
        inputShape[2],
        this.geometry,
      );
      // Each of the C·m output channels is correlated with its own flipped filter, then the m
      // channels that came from one input channel are summed back onto it.
      const [kh, kw] = p.weight.shape;
      const flipped = flipSpatially(p.weight as tf.Tensor4D).reshape([
        kh,
        kw,
        channels * multiplier,
        1,
      ]);
      const perOutput = tf.depthwiseConv2d(
        spread,
        flipped as tf.Tensor4D,
        1,
        'valid',
        'NHWC',
        this.geometry.dilations as [number, number],
      );
      const [batch, height, width] = perOutput.shape;
      return perOutput.reshape([batch, height, width, channels, multiplier]).sum(4);
    });
  }

  dispose(): void {
    this.derived.dispose();
    for (const t of this.owned) t.dispose();
  }
}
