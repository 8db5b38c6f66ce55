import * as tf from '@tensorflow/tfjs';
import { conv2dWithFlippedKernel, transposesOntoFewChannels } from '../engine/native-convolution';
import { nativeKernelsActive } from '../engine/native-kernels';
import { DerivedParams } from './derived-params';
import type { LinearOp, LinearParams } from './linear-op';
import { polyphaseTranspose } from './polyphase-transpose';
import {
  disposeWinogradKernel,
  winogradCorrelate3x3,
  keepWinogradKernel,
  winogradKernelOfFlipped,
  winogradPays,
  type WinogradKernel,
} from './winograd';
import {
  flipConvKernel,
  spreadOntoInputGrid,
  transposedPadding,
  type WindowGeometry,
} from './window-transpose';

/** What a layer keeps for transposing with one kept weight tensor (its own, or a kept rewrite's). */
interface PreparedTranspose {
  /** How often it was transposed: the Winograd path waits for a second time. */
  transposes: number;
  /**
   * The flipped kernel of the direct path: on wasm's own kernels, and with the native ones for
   * the transposes they do not take (dilated strided ones, negative transposed padding). Their
   * stride-1 transposes keep only the packed copy (conv2dWithFlippedKernel).
   */
  flipped: tf.Tensor4D | null;
  /** Winograd's kernel, once made (the flipped kernel is then dropped). */
  winograd: WinogradKernel | null;
}

/** A Conv2D layer (channels last) with explicit padding, any stride or dilation. */
export class Conv2DOp implements LinearOp {
  /**
   * Per kept weight tensor (a transpose ignores the bias, so `w` and the own parameters share one);
   * a rule's per-call parameters (LRP-γ's) are prepared per call.
   */
  private readonly prepared = new Map<tf.Tensor, PreparedTranspose>();

  /** Rewritten parameters rules ask for (w⁺, w², …), kept with the layer. */
  readonly derived: DerivedParams;

  constructor(
    readonly params: LinearParams,
    readonly geometry: WindowGeometry,
    /** Tensors this op owns (e.g. a kernel folded with batch norm) and must dispose. */
    private readonly owned: tf.Tensor[] = [],
  ) {
    this.derived = new DerivedParams(params);
  }

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
    const kept = this.preparedFor(p);
    if (kept) kept.transposes++;
    return tf.tidy(() => {
      const g = this.geometry;
      const relevance = s as tf.Tensor4D;
      const [kh, kw] = g.kernel;
      const strided = g.strides[0] > 1 || g.strides[1] > 1;
      const undilated = g.dilations[0] === 1 && g.dilations[1] === 1;
      const [, , inputChannels] = p.weight.shape as [number, number, number, number];
      const ontoFewChannels = transposesOntoFewChannels(inputChannels);
      if ((strided || ontoFewChannels) && undilated && nativeKernelsActive()) {
        // oneDNN's transposed convolution takes the stride itself: no phases, no spreading. (At
        // stride 1, its forward convolution with the flipped kernel, below, is faster, except
        // onto a few input channels, usually a first layer's, which the native transpose
        // computes its own way: engine/native-convolution.ts.)
        return tf.conv2dTranspose(
          relevance,
          p.weight as tf.Tensor4D,
          inputShape as [number, number, number, number],
          g.strides as [number, number],
          [[0, 0], g.padding[0] as [number, number], g.padding[1] as [number, number], [0, 0]],
        );
      }
      const stride1 = g.strides[0] === 1 && g.strides[1] === 1;
      const [[top, bottom], [left, right]] = transposedPadding(
        inputShape[1],
        inputShape[2],
        relevance.shape[1],
        relevance.shape[2],
        g,
      );
      const padding: tf.backend_util.ExplicitPadding = [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ];
      if (
        stride1 &&
        Math.min(top, bottom, left, right) >= 0 &&
        nativeKernelsActive() &&
        relevance.dtype === 'float32' &&
        p.weight.dtype === 'float32'
      ) {
        // The forward convolution with the flipped kernel, which the native kernels flip only
        // into their packed copy: no flipped copy is kept in the wasm heap for them.
        return conv2dWithFlippedKernel(
          relevance,
          p.weight as tf.Tensor4D,
          padding,
          g.dilations as [number, number],
        );
      }
      if (kh === 1 && kw === 1) {
        // A 1×1 kernel only mixes channels, which commutes with spreading the cells onto the input
        // grid: mix first, at output resolution (stride² times fewer positions than the dilated form).
        const mixed = tf.conv2d(relevance, this.flipped(p), 1, 'valid');
        return spreadOntoInputGrid(mixed, inputShape[1], inputShape[2], g);
      }
      if (stride1 && Math.min(top, bottom, left, right) >= 0) {
        // Stride 1 needs no spreading: the correlation pads by itself (no padded copy of s).
        const [, , inChannels, outChannels] = p.weight.shape;
        // Winograd's matrices cost more to make and pack than one direct transpose saves, so
        // only kept weights transposed again (the next explanation of a kept graph, a session's
        // next rule or target) switch to it.
        // Native convolutions (oneDNN) beat Winograd's wasm matrix products outright.
        const winogradLayer =
          kh === 3 &&
          kw === 3 &&
          undilated &&
          !nativeKernelsActive() &&
          winogradPays(outChannels, inChannels);
        if (kept !== null && kept.transposes > 1 && winogradLayer) {
          return winogradCorrelate3x3(relevance, this.winogradKernel(p, kept), [
            [top, bottom],
            [left, right],
          ]);
        }
        // A layer that switches to Winograd on its next transpose reads its flipped kernel this
        // once: made inside the tidy, not kept, so neither it nor XNNPACK's packed copy of it
        // waits in the wasm heap (which keeps its high-water mark) for the next explanation.
        const flipped = winogradLayer ? flipConvKernel(p.weight as tf.Tensor4D) : this.flipped(p);
        return tf.conv2d(relevance, flipped, 1, padding, 'NHWC', g.dilations as [number, number]);
      }
      if (undilated) {
        return polyphaseTranspose(relevance, this.flipped(p), inputShape, g);
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

  /** What is kept for `p`, when `p` is the layer's own or a kept rewrite; `null` otherwise. */
  private preparedFor(p: LinearParams): PreparedTranspose | null {
    if (p !== this.params && !this.derived.has(p)) return null;
    let kept = this.prepared.get(p.weight);
    if (!kept) {
      kept = { transposes: 0, flipped: null, winograd: null };
      this.prepared.set(p.weight, kept);
    }
    return kept;
  }

  /** The transposed kernel of `p`: kept for kept parameters, made anew for a rule's per-call ones. */
  private flipped(p: LinearParams): tf.Tensor4D {
    const kept = this.preparedFor(p);
    if (!kept) return flipConvKernel(p.weight as tf.Tensor4D);
    kept.flipped ??= tf.keep(flipConvKernel(p.weight as tf.Tensor4D));
    return kept.flipped;
  }

  /** Winograd's kernel of the transposed kernel of kept parameters `p`. */
  private winogradKernel(p: LinearParams, kept: PreparedTranspose): WinogradKernel {
    if (!kept.winograd) {
      const swapped = p.weight.transpose([0, 1, 3, 2]) as tf.Tensor4D;
      kept.winograd = keepWinogradKernel(winogradKernelOfFlipped(swapped));
      // Released now, not with transpose's tidy: with it goes XNNPACK's packed copy of its taps,
      // which would otherwise sit in the heap through this layer's correlation.
      swapped.dispose();
      kept.flipped?.dispose();
      kept.flipped = null;
    }
    return kept.winograd;
  }

  dispose(): void {
    for (const kept of this.prepared.values()) {
      kept.flipped?.dispose();
      if (kept.winograd) disposeWinogradKernel(kept.winograd);
    }
    this.prepared.clear();
    this.derived.dispose();
    for (const t of this.owned) t.dispose();
  }
}
