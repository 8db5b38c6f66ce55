import * as tf from '@tensorflow/tfjs';
import { flipConvKernelNatively } from '../engine/native-flip-conv-kernel';
import { nativeKernelsActive } from '../engine/native-kernels';

/** Geometry of a 2-D windowed operation (convolution, depthwise convolution, pooling). */
export interface WindowGeometry {
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  /** Explicit padding `[[top, bottom], [left, right]]`. */
  readonly padding: readonly [readonly [number, number], readonly [number, number]];
}

/**
 * Brings a relevance (or gradient) map of a windowed layer's output back onto the input grid so that
 * a stride-1 'valid' correlation with the spatially flipped kernel computes the transposed operation.
 *
 * Why not `tf.conv2dTranspose`: on the wasm backend it is about 12× slower than `conv2d`
 * (1729 ms against 147 ms on 112×112×128, docs/performance.md), and there is no transposed
 * depthwise kernel at all. Strides are handled by the "dilated form": `stride − 1` zeros between
 * output cells first. (Conv2D's strided 3×3-and-larger kernels skip those zeros by the polyphase
 * decomposition, polyphase-transpose.ts; depthwise, pooling and 1×1 layers still come here.)
 * With nothing to spread, pad or crop (a 1×1 kernel at stride 1) it returns `s` itself: call it
 * inside `tf.tidy`, and do not dispose `s` while the result is in use.
 */
export function spreadOntoInputGrid(
  s: tf.Tensor4D,
  inputHeight: number,
  inputWidth: number,
  g: WindowGeometry,
): tf.Tensor4D {
  return tf.tidy((): tf.Tensor4D => {
    const [batch, outH, outW, channels] = s.shape;
    const [sh, sw] = g.strides;
    let spread: tf.Tensor4D = s;
    if (sh > 1 || sw > 1) {
      // [B, H, 1, W, 1, C] padded to [B, H, sh, W, sw, C]: every cell followed by stride-1 zeros.
      const cells = s.reshape([batch, outH, 1, outW, 1, channels]);
      const padded = cells.pad([
        [0, 0],
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, sw - 1],
        [0, 0],
      ]);
      spread = padded
        .reshape([batch, outH * sh, outW * sw, channels])
        .slice(
          [0, 0, 0, 0],
          [batch, (outH - 1) * sh + 1, (outW - 1) * sw + 1, channels],
        ) as tf.Tensor4D;
    }
    const [[top, bottom], [left, right]] = transposedPadding(
      inputHeight,
      inputWidth,
      outH,
      outW,
      g,
    );
    // Padding is never negative for TensorFlow's 'same'/'valid'; slicing covers explicit oddities.
    const pads: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [Math.max(top, 0), Math.max(bottom, 0)],
      [Math.max(left, 0), Math.max(right, 0)],
      [0, 0],
    ];
    // No padding at all (a 1×1 kernel at stride 1): tf.pad would still copy the whole map.
    const padded: tf.Tensor4D = pads.flat().some((p) => p > 0) ? spread.pad(pads) : spread;
    const sliceTop = Math.max(-top, 0);
    const sliceLeft = Math.max(-left, 0);
    const sliceBottom = Math.max(-bottom, 0);
    const sliceRight = Math.max(-right, 0);
    if (sliceTop + sliceLeft + sliceBottom + sliceRight === 0) return padded;
    return padded.slice(
      [0, sliceTop, sliceLeft, 0],
      [
        batch,
        padded.shape[1] - sliceTop - sliceBottom,
        padded.shape[2] - sliceLeft - sliceRight,
        channels,
      ],
    );
  });
}

/**
 * Padding `[[top, bottom], [left, right]]` of the (spread) output map so that a stride-1 'valid'
 * correlation with the flipped kernel lands exactly on the input grid. Negative entries mean
 * "crop" (only for explicit paddings wider than the kernel).
 */
export function transposedPadding(
  inputHeight: number,
  inputWidth: number,
  outputHeight: number,
  outputWidth: number,
  g: WindowGeometry,
): [[number, number], [number, number]] {
  return [axisPads(inputHeight, outputHeight, 0, g), axisPads(inputWidth, outputWidth, 1, g)];
}

/** Padding before/after on one axis so a stride-1 valid correlation lands exactly on the input grid. */
function axisPads(
  inputSize: number,
  outputSize: number,
  axis: 0 | 1,
  g: WindowGeometry,
): [number, number] {
  const effective = (g.kernel[axis] - 1) * g.dilations[axis] + 1;
  const [before, after] = g.padding[axis];
  // Input rows the forward pass never reached (floor in the output-size formula).
  const uncovered = inputSize + before + after - effective - (outputSize - 1) * g.strides[axis];
  return [effective - 1 - before, effective - 1 - after + uncovered];
}

/**
 * A kernel `[kh, kw, a, b]` flipped spatially (both spatial axes reversed). Reversing the `kh·kw`
 * taps is a permutation, done as one small matrix product with the anti-diagonal permutation
 * matrix: on wasm that is ~20× faster than `tf.reverse` (6 ms vs 127 ms for 3×3×512×512), and
 * exact for finite weights (each output is one weight times 1 plus zeros).
 */
export function flipSpatially(kernel: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, a, b] = kernel.shape;
    const taps = kh * kw;
    if (taps === 1) return kernel.clone();
    const reversal = tf.oneHot(tf.range(taps - 1, -1, -1, 'int32'), taps).toFloat() as tf.Tensor2D;
    // The reversal is symmetric, so it goes in as the transposed left operand: tfjs-wasm then runs
    // its own loop over the kernel. As the right operand of a plain product, XNNPACK would keep a
    // packed copy of the kernel (which shares its data with the reshape) for as long as the kernel
    // lives: the size of every flipped kernel again, in a wasm heap that never shrinks.
    return tf
      .matMul(reversal, kernel.reshape([taps, a * b]), true, false)
      .reshape([kh, kw, a, b]) as tf.Tensor4D;
  });
}

/**
 * A convolution kernel `[kh, kw, in, out]` flipped spatially with in/out swapped:
 * `[kh, kw, out, in]`. With the native kernels, one pass that moves every value unchanged
 * (engine/native-flip-conv-kernel.ts); without them, {@link flipSpatially}'s product, exact for
 * finite weights only (an infinite weight times the reversal's zeros gives NaN).
 */
export function flipConvKernel(kernel: tf.Tensor4D): tf.Tensor4D {
  if (nativeKernelsActive() && kernel.dtype === 'float32' && kernel.size > 0) {
    return flipConvKernelNatively(kernel);
  }
  return tf.tidy(() => flipSpatially(kernel).transpose([0, 1, 3, 2]) as tf.Tensor4D);
}
