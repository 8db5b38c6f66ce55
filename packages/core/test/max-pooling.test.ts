import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/engine/init-engine';
import { routeToWindowMaxima } from '../src/layers/max-pooling';
import { axisPadding } from '../src/layers/padding';

/** Plain-loop routing: each window's relevance to its first maximal cell (row-major). */
function routeByLoops(
  x: number[][],
  r: number[][],
  pool: number,
  stride: number,
  pads: [number, number][],
): number[][] {
  const out = x.map((row) => row.map(() => 0));
  for (let oi = 0; oi < r.length; oi++) {
    for (let oj = 0; oj < r[0].length; oj++) {
      let best = -Infinity;
      let at: [number, number] | null = null;
      for (let i = 0; i < pool; i++) {
        for (let j = 0; j < pool; j++) {
          const xi = oi * stride + i - pads[0][0];
          const xj = oj * stride + j - pads[1][0];
          if (xi < 0 || xj < 0 || xi >= x.length || xj >= x[0].length) continue;
          if (x[xi][xj] > best) {
            best = x[xi][xj];
            at = [xi, xj];
          }
        }
      }
      if (at) out[at[0]][at[1]] += r[oi][oj];
    }
  }
  return out;
}

/**
 * Routes random positive relevance through a one-channel `values` grid with the engine and with
 * the loops; returns both maps and the relevance sums (routed, given).
 */
function routeBothWays(
  values: number[][],
  pool: number,
  stride: number,
  padding: 'same' | 'valid',
): { got: number[][]; expected: number[][]; sums: [number, number] } {
  const [h, w] = [values.length, values[0].length];
  const pads: [[number, number], [number, number]] = [
    axisPadding(h, pool, stride, 1, padding),
    axisPadding(w, pool, stride, 1, padding),
  ];
  return tf.tidy(() => {
    const x = tf.tensor4d(values.flat(), [1, h, w, 1]);
    const y = tf.maxPool(x, pool, stride, padding);
    const r = tf.randomUniform(y.shape, 1, 2, 'float32', 9) as tf.Tensor4D;
    const routed = routeToWindowMaxima(x, r, {
      kernel: [pool, pool],
      strides: [stride, stride],
      dilations: [1, 1],
      padding: pads,
    });
    const expected = routeByLoops(
      values,
      r.reshape([y.shape[1], y.shape[2]]).arraySync() as number[][],
      pool,
      stride,
      pads,
    );
    const got = routed.reshape([h, w]).arraySync() as number[][];
    return { got, expected, sums: [routed.sum().dataSync()[0], r.sum().dataSync()[0]] };
  });
}

function expectSameMaps(got: number[][], expected: number[][]): void {
  got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 5)));
}

afterAll(async () => {
  await initEngine({ engine: 'wasm' });
});

// The native routing (engine/native-window-maxima.ts) and the tfjs one, each against the loops.
describe.each([true, false])('max-pooling relevance routing (native kernels: %s)', (native) => {
  beforeAll(async () => {
    await initEngine({ engine: 'wasm', nativeKernels: native });
  });

  test.each([
    [4, 5, 2, 2, 'valid'],
    [7, 7, 2, 2, 'same'],
    [6, 6, 3, 2, 'valid'],
    [5, 6, 3, 1, 'same'],
    [4, 4, 2, 2, 'valid'],
    [5, 5, 1, 1, 'valid'],
    [5, 5, 1, 2, 'same'],
  ] as const)(
    '%dx%d pool %d stride %d %s, negative windows and ties included',
    (h, w, pool, stride, padding) => {
      const baseline = tf.memory().numTensors;
      // Negative values everywhere, plus exact ties (as after a ReLU: many zeros).
      const values = Array.from({ length: h }, (_, i) =>
        Array.from({ length: w }, (_, j) =>
          (i * 7 + j * 3) % 5 === 0 ? 0 : -((i * 13 + j * 17) % 11) - 1,
        ),
      );
      const { got, expected, sums } = routeBothWays(values, pool, stride, padding);
      expectSameMaps(got, expected);
      // Relevance is neither lost nor created.
      expect(sums[0]).toBeCloseTo(sums[1], 4);
      expect(tf.memory().numTensors).toBe(baseline);
    },
  );

  test.each([
    [2, 2, 'valid'],
    [3, 2, 'same'],
  ] as const)(
    'infinite activations (pool %d stride %d %s): +Infinity wins its windows, −Infinity never beats a finite cell',
    (pool, stride, padding) => {
      const baseline = tf.memory().numTensors;
      const values = [
        [-Infinity, 3, 1, -Infinity],
        [5, -Infinity, Infinity, 2],
        [0, -Infinity, -2, -Infinity],
        [-Infinity, -1, 4, Infinity],
      ];
      const { got, expected } = routeBothWays(values, pool, stride, padding);
      expectSameMaps(got, expected);
      expect(tf.memory().numTensors).toBe(baseline);
    },
  );
});

/**
 * The routing's rules as plain loops over a `[B, H, W, C]` grid (flat arrays): each window's
 * relevance onto its first maximal cell in row-major order, where ±Infinity compares as
 * ±FLOAT32_MAX and a padded cell as −FLOAT32_MAX (so a window of −Infinity cells still has a
 * winner, which `routeByLoops` does not model).
 */
function routeChannelsByLoops(
  x: Float32Array,
  r: Float32Array,
  [batch, h, w, channels]: readonly number[],
  [oh, ow]: readonly number[],
  pool: number,
  stride: number,
  pads: [number, number][],
): number[] {
  const largest = 3.4028234663852886e38;
  const out: number[] = new Array<number>(x.length).fill(0);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < channels; c++) {
      for (let oi = 0; oi < oh; oi++) {
        for (let oj = 0; oj < ow; oj++) {
          let best = -largest;
          let winner = -1; // -1: a padded cell
          for (let i = 0; i < pool; i++) {
            for (let j = 0; j < pool; j++) {
              const xi = oi * stride + i - pads[0][0];
              const xj = oj * stride + j - pads[1][0];
              const inside = xi >= 0 && xj >= 0 && xi < h && xj < w;
              const cell = ((b * h + xi) * w + xj) * channels + c;
              const value = inside ? Math.min(Math.max(x[cell], -largest), largest) : -largest;
              if ((i === 0 && j === 0) || value > best) {
                best = value;
                winner = inside ? cell : -1;
              }
            }
          }
          if (winner >= 0) out[winner] += r[((b * oh + oi) * ow + oj) * channels + c];
        }
      }
    }
  }
  return out;
}

// The native loop compares four channels at a time and takes the rest one by one, and splits the
// work by output rows (windows that do not overlap) or by groups of 16 channels (windows that
// do): many channels and two samples reach every one of those paths.
describe('max-pooling relevance routing over many channels (native kernels)', () => {
  beforeAll(async () => {
    await initEngine({ engine: 'wasm', nativeKernels: true });
  });

  test.each([
    [2, 11, 9, 4, 2, 2, 'valid'], // a remainder row and column no window reads
    [2, 7, 7, 18, 2, 2, 'same'], // padding after; 4 vector blocks and a tail of 2
    [2, 8, 8, 5, 2, 3, 'valid'], // stride larger than the pool: cells between windows
    [2, 7, 8, 7, 3, 3, 'same'], // padding before: windows whose first cell is padded
    [2, 9, 9, 18, 3, 2, 'same'], // overlapping windows, two channel groups
    [1, 6, 5, 33, 3, 1, 'valid'], // overlapping windows, a group of one channel
  ] as const)(
    'batch %d, %dx%d, %d channels, pool %d stride %d %s',
    (batch, h, w, channels, pool, stride, padding) => {
      const baseline = tf.memory().numTensors;
      const pads: [number, number][] = [
        axisPadding(h, pool, stride, 1, padding),
        axisPadding(w, pool, stride, 1, padding),
      ];
      // Small integers (ties, zeros and negative windows), ±Infinity in a few cells.
      const values = Float32Array.from({ length: batch * h * w * channels }, (_, i) => {
        if (i % 23 === 5) return Infinity;
        if (i % 29 === 7) return -Infinity;
        return ((i * 7919) % 9) - 6;
      });
      tf.tidy(() => {
        const x = tf.tensor4d(values, [batch, h, w, channels]);
        const y = tf.maxPool(x, pool, stride, padding);
        const r = tf.randomUniform(y.shape, -1, 2, 'float32', 4) as tf.Tensor4D;
        const routed = routeToWindowMaxima(x, r, {
          kernel: [pool, pool],
          strides: [stride, stride],
          dilations: [1, 1],
          padding: pads as [[number, number], [number, number]],
        });
        const expected = routeChannelsByLoops(
          values,
          r.dataSync() as Float32Array,
          x.shape,
          y.shape.slice(1, 3),
          pool,
          stride,
          pads,
        );
        const got = Array.from(routed.dataSync());
        got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
      });
      expect(tf.memory().numTensors).toBe(baseline);
    },
  );
});
