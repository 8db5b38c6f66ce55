import * as tf from '@tensorflow/tfjs';
import { DerivedParams } from './derived-params';
import type { LinearOp, LinearParams } from './linear-op';
import { spreadOntoInputGrid, type WindowGeometry } from './window-transpose';

/**
 * AveragePooling2D as a linear layer. Output cell k averages the `count_k` real (non-padded) cells of
 * its window, so every non-zero weight of column k equals `1/count_k`: the weight is stored as that
 * one number per output position (`[1, outH, outW, 1]`). Rules rewrite weights elementwise with
 * g(0) = 0 (w⁺, w², 1, w + γw⁺), which maps `1/count_k` to `g(1/count_k)` and leaves the structural
 * zeros alone — so rewriting this compact weight is exactly rewriting the full matrix.
 */
export class AveragePoolingOp implements LinearOp {
  readonly params: LinearParams;
  /** Rewritten parameters rules ask for (w⁺, w², …), kept with the layer. */
  readonly derived: DerivedParams;
  private readonly window: tf.Tensor4D;

  constructor(
    readonly geometry: WindowGeometry,
    inputShape: readonly number[],
  ) {
    const [, height, width, channels] = inputShape;
    this.window = tf.keep(tf.ones([geometry.kernel[0], geometry.kernel[1], channels, 1]));
    const counts = tf.tidy(() => this.windowSums(tf.ones([1, height, width, 1]), 1));
    this.params = { weight: tf.keep(tf.tidy(() => tf.reciprocal(counts))), bias: null };
    counts.dispose();
    this.derived = new DerivedParams(this.params);
  }

  /** Σ of every window (padded cells count as zero) for `channels` channels. */
  private windowSums(a: tf.Tensor, channels: number): tf.Tensor {
    const g = this.geometry;
    const kernel =
      channels === this.window.shape[2]
        ? this.window
        : tf.ones([g.kernel[0], g.kernel[1], channels, 1]);
    const padded = (a as tf.Tensor4D).pad([
      [0, 0],
      [...g.padding[0]],
      [...g.padding[1]],
      [0, 0],
    ] as [number, number][]);
    return tf.depthwiseConv2d(
      padded as tf.Tensor4D,
      kernel as tf.Tensor4D,
      g.strides as [number, number],
      'valid',
    );
  }

  forward(a: tf.Tensor, p: LinearParams = this.params): tf.Tensor {
    return tf.tidy(() => {
      const z = this.windowSums(a, a.shape[3] as number).mul(p.weight);
      return p.bias ? z.add(p.bias) : z;
    });
  }

  transpose(s: tf.Tensor, inputShape: readonly number[], p: LinearParams = this.params): tf.Tensor {
    return tf.tidy(() => {
      const spread = spreadOntoInputGrid(
        s.mul(p.weight) as tf.Tensor4D,
        inputShape[1],
        inputShape[2],
        this.geometry,
      );
      return tf.depthwiseConv2d(spread, this.window, 1, 'valid');
    });
  }

  dispose(): void {
    this.derived.dispose();
    this.window.dispose();
    this.params.weight.dispose();
  }
}
