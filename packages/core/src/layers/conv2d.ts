import * as tf from '@tensorflow/tfjs';
import type { LinearOp, LinearParams } from './linear-op';
import { winogradCorrelate3x3, winogradMatricesOfFlipped, winogradPays } from './winograd';
import {
  flipConvKernel,
  spreadOntoInputGrid,
  transposedPadding,
  type WindowGeometry,
} from './window-transpose';

/** A Conv2D layer (channels last) with explicit padding, any stride or dilation. */
export class Conv2DOp implements LinearOp {
  /** Flipped copy of the layer's own kernel, made on first use: the transpose of every rule that keeps the weights. */
  private flippedOwnKernel: tf.Tensor4D | null = null;
  /** The Winograd path's 16 transformed matrices of the layer's own kernel, made on reuse. */
  private winogradOwnMatrices: tf.Tensor2D[] | null = null;
  /** How often the layer's own kernel has been transposed: the Winograd path waits for a second time. */
  private ownTransposes = 0;

  constructor(
    readonly params: LinearParams,
    readonly geometry: WindowGeometry,
    /** Tensors this op owns (e.g. a kernel folded with batch norm) and must dispose. */
    private readonly owned: tf.Tensor[] = [],
  ) {}

  forward(a: tf.Tensor, p: LinearParams = this.params): tf.Tensor {
    const g = this.geometry;
    // The fused kernel adds the bias in the same pass (about 10% faster on wasm).
    return tf.fused.conv2d({
      x: a as tf.Tensor4D,
      filter: p.weight as tf.Tensor4D,
      strides: g.strides as [number, number],
      pad: [[0, 0], g.padding[0] as [number, number], g.padding[1] as [number, number], [0, 0]],
      dilations: g.dilations as [number, number],
      bias: p.bias ?? undefined,
    });
  }

  transpose(s: tf.Tensor, inputShape: readonly number[], p: LinearParams = this.params): tf.Tensor {
    if (p === this.params) this.ownTransposes++;
    return tf.tidy(() => {
      const g = this.geometry;
      const relevance = s as tf.Tensor4D;
      const [kh, kw] = g.kernel;
      if (kh === 1 && kw === 1) {
        // A 1×1 kernel only mixes channels, which commutes with spreading the cells onto the input
        // grid: mix first, at output resolution (stride² times fewer positions than the dilated form).
        const mixed = tf.conv2d(relevance, this.flipped(p), 1, 'valid');
        return spreadOntoInputGrid(mixed, inputShape[1], inputShape[2], g);
      }
      const [[top, bottom], [left, right]] = transposedPadding(
        inputShape[1],
        inputShape[2],
        relevance.shape[1],
        relevance.shape[2],
        g,
      );
      const stride1 = g.strides[0] === 1 && g.strides[1] === 1;
      if (stride1 && Math.min(top, bottom, left, right) >= 0) {
        // Stride 1 needs no spreading: the correlation pads by itself (no padded copy of s).
        const undilated = g.dilations[0] === 1 && g.dilations[1] === 1;
        const [, , inChannels, outChannels] = p.weight.shape;
        // Winograd's matrices cost more to make and pack than one direct transpose saves, so
        // only weights transposed again (a session's next rule or target, an ExplainableModel's
        // next input) switch to it; a rule's rewritten weights are new every time.
        const reused = p === this.params && this.ownTransposes > 1;
        if (reused && kh === 3 && kw === 3 && undilated && winogradPays(outChannels, inChannels)) {
          return winogradCorrelate3x3(relevance, this.ownWinogradMatrices(), [
            [top, bottom],
            [left, right],
          ]);
        }
        return tf.conv2d(
          relevance,
          this.flipped(p),
          1,
          [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ],
          'NHWC',
          g.dilations as [number, number],
        );
      }
      const spread = spreadOntoInputGrid(relevance, inputShape[1], inputShape[2], g);
      return tf.conv2d(
        spread,
        this.flipped(p),
        1,
        'valid',
        'NHWC',
        g.dilations as [number, number],
      );
    });
  }

  /** The transposed kernel of `p`: cached for the layer's own parameters, made anew for a rule's. */
  private flipped(p: LinearParams): tf.Tensor4D {
    if (p !== this.params) return flipConvKernel(p.weight as tf.Tensor4D);
    if (!this.flippedOwnKernel) {
      this.flippedOwnKernel = tf.keep(flipConvKernel(this.params.weight as tf.Tensor4D));
    }
    return this.flippedOwnKernel;
  }

  /** The Winograd matrices of the layer's own transposed kernel (the flipped copy is then dropped). */
  private ownWinogradMatrices(): tf.Tensor2D[] {
    if (!this.winogradOwnMatrices) {
      const swapped = () => this.params.weight.transpose([0, 1, 3, 2]) as tf.Tensor4D;
      this.winogradOwnMatrices = tf
        .tidy(() => winogradMatricesOfFlipped(swapped()))
        .map((m) => tf.keep(m));
      this.flippedOwnKernel?.dispose();
      this.flippedOwnKernel = null;
    }
    return this.winogradOwnMatrices;
  }

  dispose(): void {
    this.flippedOwnKernel?.dispose();
    this.flippedOwnKernel = null;
    if (this.winogradOwnMatrices) tf.dispose(this.winogradOwnMatrices);
    this.winogradOwnMatrices = null;
    for (const t of this.owned) t.dispose();
  }
}
