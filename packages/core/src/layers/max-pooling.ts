import * as tf from '@tensorflow/tfjs';
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
  const tiles = g.kernel[0] === g.strides[0] && g.kernel[1] === g.strides[1];
  return tiles ? routeInTiles(x, r, g) : routeInOverlappingWindows(x, r, g);
}

/**
 * Windows that tile the (padded) input — pool size = stride, the usual case — are a reshape away:
 * `[B, Ho·ph, Wo·pw, C] → [B, Ho, Wo, C, ph·pw]`, one arg-max along the last axis, one one-hot.
 * About ten times faster than the general path on wasm.
 */
function routeInTiles(x: tf.Tensor4D, r: tf.Tensor4D, g: WindowGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, height, width, channels] = x.shape;
    const [outH, outW] = [r.shape[1], r.shape[2]];
    const [[top], [left]] = g.padding;
    const [ph, pw] = g.kernel;
    const coveredH = outH * ph;
    const coveredW = outW * pw;
    // The grid the windows cover: padded with -Infinity where 'same' adds cells, cropped where
    // 'valid' leaves a remainder that no window reads.
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
            -Infinity,
          )
          .slice([0, 0, 0, 0], [batch, coveredH, coveredW, channels]);
    const windows = grid
      .reshape([batch, outH, ph, outW, pw, channels])
      .transpose([0, 1, 3, 5, 2, 4])
      .reshape([batch, outH, outW, channels, ph * pw]);
    // (tf.oneHot needs a depth of 2 or more; a 1×1 window's only cell always wins.)
    const winners =
      ph * pw === 1
        ? tf.onesLike(windows)
        : // (not oneHot's own float32 dtype: the wasm kernel writes int32 bits into it, tfjs 4.22)
          tf.oneHot(tf.argMax(windows, 4), ph * pw).toFloat();
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
    // Padded cells never win: pad with -Infinity, as max pooling does.
    const padded = x.pad(
      [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      -Infinity,
    );
    const offsets: [number, number][] = [];
    for (let i = 0; i < ph; i++) for (let j = 0; j < pw; j++) offsets.push([i, j]);
    // Candidate k of every window: the cell at offset k, for all windows at once.
    const candidates = offsets.map(([i, j]) =>
      tf.stridedSlice(
        padded,
        [0, i, j, 0],
        [batch, i + (outH - 1) * sh + 1, j + (outW - 1) * sw + 1, channels],
        [1, sh, sw, 1],
      ),
    );
    const winner = tf.argMax(tf.stack(candidates), 0);
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
