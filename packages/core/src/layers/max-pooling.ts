import * as tf from '@tensorflow/tfjs';
import { nativeKernelsActive } from '../engine/native-kernels';
import { routeToWindowMaximaNatively } from '../engine/native-window-maxima';
import type { WindowGeometry } from './window-transpose';

/**
 * Routes the relevance of every max-pooling window to the cell holding the window's maximum (the
 * first one in row-major order on ties); overlapping windows add up.
 *
 * Why not `tf.grad(tf.maxPool)`: the wasm backend's MaxPoolGrad (tfjs 4.22) sends a window whose
 * values are all negative to its first cell, or drops it (see test/max-pooling.test.ts).
 */
export function routeToWindowMaxima(
  x: tf.Tensor4D,
  r: tf.Tensor4D,
  g: WindowGeometry,
): tf.Tensor4D {
  if (
    nativeKernelsActive() &&
    x.dtype === 'float32' &&
    r.dtype === 'float32' &&
    x.size > 0 &&
    r.size > 0
  ) {
    // The same rules in one native loop (engine/native-window-maxima.ts).
    return routeToWindowMaximaNatively(x, r, g.kernel, g.strides, [
      g.padding[0][0],
      g.padding[1][0],
    ]);
  }
  const tiles = g.kernel[0] === g.strides[0] && g.kernel[1] === g.strides[1];
  return tiles ? routeInTiles(x, r, g) : routeInOverlappingWindows(x, r, g);
}

/** The largest finite float32: stands in for ±Infinity where cells are multiplied by 0. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * The index (row-major) of each window's first maximal cell, `[B, Ho, Wo, C]`, from a padded grid
 * in which padded cells hold −FLOAT32_MAX. One depthwise convolution with a one-hot kernel per
 * window offset lays every window's cells out along a last axis (`[B, Ho, Wo, C, ph·pw]`), where
 * arg-max picks the first maximum.
 *
 * Why a convolution: it is one XNNPACK pass. `tf.stridedSlice` (the obvious way to take one
 * offset of every window) goes element by element on wasm — 238 ms of ResNet-50's 1044 ms
 * explanation for its one 3×3/2 pooling — and a 6-D transpose of the tiled windows is slow too.
 * The one-hot kernel multiplies the other cells of a window by 0, so they must be finite: the grid
 * is clamped to ±FLOAT32_MAX first (an infinite activation ties with the largest finite value).
 */
function windowArgMax(grid: tf.Tensor4D, g: WindowGeometry): tf.Tensor {
  return tf.tidy(() => {
    const channels = grid.shape[3];
    const [ph, pw] = g.kernel;
    const cells = ph * pw;
    // selector[i, j, c, k] = 1 where k = i·pw + j: output channel c·cells + k is offset k of c.
    const selector = tf.tensor4d(
      Float32Array.from({ length: cells * channels * cells }, (_, index) => {
        const k = index % cells;
        const offset = Math.floor(index / (channels * cells));
        return k === offset ? 1 : 0;
      }),
      [ph, pw, channels, cells],
    );
    const candidates = tf.depthwiseConv2d(
      grid.clipByValue(-FLOAT32_MAX, FLOAT32_MAX) as tf.Tensor4D,
      selector,
      g.strides as [number, number],
      'valid',
    );
    const [batch, outH, outW] = candidates.shape;
    return tf.argMax(candidates.reshape([batch, outH, outW, channels, cells]), 4);
  });
}

/**
 * Windows that tile the (padded) input — pool size = stride, the usual case — route back by a
 * reshape: the one-hot of each window's arg-max times its relevance, `[B, Ho, Wo, C, ph, pw]`,
 * transposed onto `[B, Ho·ph, Wo·pw, C]`. About ten times faster than the general path on wasm.
 */
function routeInTiles(x: tf.Tensor4D, r: tf.Tensor4D, g: WindowGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, height, width, channels] = x.shape;
    const [outH, outW] = [r.shape[1], r.shape[2]];
    const [[top], [left]] = g.padding;
    const [ph, pw] = g.kernel;
    const coveredH = outH * ph;
    const coveredW = outW * pw;
    // The grid the windows cover: padded with −FLOAT32_MAX (never a winner) where 'same' adds
    // cells, cropped where 'valid' leaves a remainder that no window reads.
    const exact = top === 0 && left === 0 && coveredH === height && coveredW === width;
    const grid = exact
      ? x
      : x
          .pad(
            [
              [0, 0],
              [top, Math.max(coveredH - height - top, 0)],
              [left, Math.max(coveredW - width - left, 0)],
              [0, 0],
            ],
            -FLOAT32_MAX,
          )
          .slice([0, 0, 0, 0], [batch, coveredH, coveredW, channels]);
    // (tf.oneHot needs a depth of 2 or more; a 1×1 window's only cell always wins.)
    const winners =
      ph * pw === 1
        ? tf.ones([batch, outH, outW, channels, 1])
        : // (not oneHot's own float32 dtype: the wasm kernel writes int32 bits into it, tfjs 4.22)
          tf.oneHot(windowArgMax(grid as tf.Tensor4D, g), ph * pw).toFloat();
    const routed = winners
      .mul(r.expandDims(4))
      .reshape([batch, outH, outW, channels, ph, pw])
      .transpose([0, 1, 4, 2, 5, 3])
      .reshape([batch, coveredH, coveredW, channels]);
    if (exact) return routed as tf.Tensor4D;
    // Back onto the input grid: drop the padded cells, restore the uncovered remainder as zeros.
    const keptH = Math.min(coveredH - top, height);
    const keptW = Math.min(coveredW - left, width);
    return routed.slice([0, top, left, 0], [batch, keptH, keptW, channels]).pad([
      [0, 0],
      [0, height - keptH],
      [0, width - keptW],
      [0, 0],
    ]) as tf.Tensor4D;
  });
}

/** The general case (overlapping windows): one candidate tensor per window offset. */
function routeInOverlappingWindows(x: tf.Tensor4D, r: tf.Tensor4D, g: WindowGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, height, width, channels] = x.shape;
    const [outH, outW] = [r.shape[1], r.shape[2]];
    const [[top, bottom], [left, right]] = g.padding;
    const [ph, pw] = g.kernel;
    const [sh, sw] = g.strides;
    // Padded cells never win: pad with −FLOAT32_MAX, as max pooling pads with −Infinity.
    const padded = x.pad(
      [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      -FLOAT32_MAX,
    );
    const offsets: [number, number][] = [];
    for (let i = 0; i < ph; i++) for (let j = 0; j < pw; j++) offsets.push([i, j]);
    // Only the cells some window reads (explicit padding may reach further).
    const readH = (outH - 1) * sh + ph;
    const readW = (outW - 1) * sw + pw;
    const read =
      padded.shape[1] === readH && padded.shape[2] === readW
        ? padded
        : padded.slice([0, 0, 0, 0], [batch, readH, readW, channels]);
    const winner = windowArgMax(read as tf.Tensor4D, g);
    const paddedH = height + top + bottom;
    const paddedW = width + left + right;
    let routed = tf.zeros([batch, paddedH, paddedW, channels]);
    offsets.forEach(([i, j], k) => {
      const share = r.mul(winner.equal(k));
      // Back onto the padded grid: stride − 1 zeros between cells, shifted by the offset.
      const spread = share
        .reshape([batch, outH, 1, outW, 1, channels])
        .pad([
          [0, 0],
          [0, 0],
          [0, sh - 1],
          [0, 0],
          [0, sw - 1],
          [0, 0],
        ])
        .reshape([batch, outH * sh, outW * sw, channels]);
      const rows = Math.min(outH * sh, paddedH - i);
      const cols = Math.min(outW * sw, paddedW - j);
      const placed = spread.slice([0, 0, 0, 0], [batch, rows, cols, channels]).pad([
        [0, 0],
        [i, paddedH - i - rows],
        [j, paddedW - j - cols],
        [0, 0],
      ]);
      routed = routed.add(placed);
    });
    return routed.slice([0, top, left, 0], [batch, height, width, channels]) as tf.Tensor4D;
  });
}
