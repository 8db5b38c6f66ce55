import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/engine/init-engine';
import { Conv2DOp } from '../src/layers/conv2d';
import {
  winogradCorrelate3x3,
  winogradKernelOfFlipped,
  winogradPays,
} from '../src/layers/winograd';

/** Largest absolute difference relative to the largest absolute value of `expected`. */
function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  return tf.tidy(() => {
    const scale = expected.abs().max().dataSync()[0];
    return actual.sub(expected).abs().max().dataSync()[0] / scale;
  });
}

/** The `[3, 3, out, in]` kernel whose flip is `filter` (a `[3, 3, in, out]` correlation filter). */
function unflippedSwapped(filter: tf.Tensor4D): tf.Tensor4D {
  return tf.reverse(filter, [0, 1]) as tf.Tensor4D;
}

// Winograd serves the wasm engine's own convolutions; the native kernels replace it.
beforeAll(async () => {
  await initEngine({ engine: 'wasm', nativeKernels: false });
});

afterAll(async () => {
  await initEngine({ engine: 'wasm' });
});

describe('Winograd F(2×2, 3×3)', () => {
  test.each([
    // [batch, height, width, in, out, [[top, bottom], [left, right]]]
    [
      1,
      6,
      6,
      3,
      4,
      [
        [1, 1],
        [1, 1],
      ],
    ],
    [
      2,
      5,
      7,
      4,
      2,
      [
        [1, 1],
        [1, 1],
      ],
    ],
    [
      1,
      7,
      5,
      2,
      3,
      [
        [0, 0],
        [0, 0],
      ],
    ],
    [
      2,
      4,
      9,
      3,
      5,
      [
        [2, 2],
        [2, 2],
      ],
    ],
    [
      1,
      6,
      5,
      2,
      2,
      [
        [0, 1],
        [2, 0],
      ],
    ],
    [
      1,
      3,
      3,
      1,
      1,
      [
        [0, 0],
        [0, 0],
      ],
    ],
  ] as const)(
    'equals tf.conv2d: batch %d, %d×%d, %d→%d channels, padding %j',
    (batch, height, width, inChannels, outChannels, padding) => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const x = tf.randomNormal(
          [batch, height, width, inChannels],
          0,
          1,
          'float32',
          5,
        ) as tf.Tensor4D;
        const filter = tf.randomNormal(
          [3, 3, inChannels, outChannels],
          0,
          1,
          'float32',
          6,
        ) as tf.Tensor4D;
        const direct = tf.conv2d(x, filter, 1, [[0, 0], [...padding[0]], [...padding[1]], [0, 0]]);
        const kernel = winogradKernelOfFlipped(unflippedSwapped(filter));
        const fast = winogradCorrelate3x3(x, kernel, padding);
        expect(fast.shape).toEqual(direct.shape);
        expect(relativeError(fast, direct)).toBeLessThan(1e-5);
      });
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  test('pays off only when both channel counts are large (measured break-even at 64→64)', () => {
    expect(winogradPays(3, 64)).toBe(false);
    expect(winogradPays(32, 64)).toBe(false);
    expect(winogradPays(64, 64)).toBe(true);
    expect(winogradPays(512, 512)).toBe(true);
  });

  test.each([
    ['same', [9, 7]],
    ['valid', [8, 6]],
  ] as const)(
    'a wide Conv2D layer (%s) transposed again switches to it, still the exact gradient',
    (padding, [height, width]) => {
      const before = tf.memory().numTensors;
      const [inChannels, outChannels] = [160, 192];
      expect(winogradPays(outChannels, inChannels)).toBe(true);
      const weight = tf.randomNormal([3, 3, inChannels, outChannels], 0, 0.1, 'float32', 8);
      const op = new Conv2DOp(
        { weight, bias: null },
        {
          kernel: [3, 3],
          strides: [1, 1],
          dilations: [1, 1],
          padding:
            padding === 'same'
              ? [
                  [1, 1],
                  [1, 1],
                ]
              : [
                  [0, 0],
                  [0, 0],
                ],
        },
      );
      tf.tidy(() => {
        const a = tf.randomNormal(
          [2, height, width, inChannels],
          0,
          1,
          'float32',
          9,
        ) as tf.Tensor4D;
        const s = tf.randomNormal(op.forward(a).shape, 0, 1, 'float32', 10);
        // The gradient of ⟨conv2d(a, W), s⟩ with respect to a is Wᵀ s by definition.
        const gradient = tf.grad((input: tf.Tensor) =>
          tf
            .conv2d(input as tf.Tensor4D, weight as tf.Tensor4D, 1, padding)
            .mul(s)
            .sum(),
        )(a);
        const first = op.transpose(s, a.shape); // direct: the weights are not known to be reused
        const winograd = op.transpose(s, a.shape); // reused: Winograd's matrices made and kept
        const again = op.transpose(s, a.shape);
        const rewritten = op.transpose(s, a.shape, { weight: weight.mul(2), bias: null });
        expect(relativeError(first, gradient)).toBeLessThan(1e-5);
        expect(relativeError(winograd, gradient)).toBeLessThan(1e-5);
        expect(relativeError(winograd, first)).toBeGreaterThan(0); // a different summation order
        expect(relativeError(again, winograd)).toBe(0);
        expect(relativeError(rewritten, gradient.mul(2))).toBeLessThan(1e-5);
      });
      op.dispose();
      weight.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});
