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
