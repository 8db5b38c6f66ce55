import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/engine/init-engine';
import { Conv2DOp } from '../src/layers/conv2d';
import { axisPadding } from '../src/layers/padding';

/**
 * Strided convolutions transpose by their polyphase decomposition; tfjs's own gradient of
 * `tf.conv2d` (Conv2DBackpropInput) is the independent check, including kernels smaller than the
 * stride (phases without taps), uneven sizes and both paddings.
 */
// The polyphase form serves wasm's own kernels; with the native ones the layer hands strided
// transposes to oneDNN (native-kernels.test.ts compares that with wasm's gradient kernel).
beforeAll(async () => {
  await initEngine({ engine: 'wasm', nativeKernels: false });
});

afterAll(async () => {
  await initEngine({ engine: 'wasm' });
});

describe('polyphase transpose of strided convolutions', () => {
  test.each([
    // [height, width, in, out, kernel [kh, kw], strides [sh, sw], padding]
    [15, 15, 3, 8, [7, 7], [2, 2], 'same'],
    [14, 13, 2, 4, [5, 5], [3, 3], 'valid'],
    [9, 10, 3, 2, [4, 3], [2, 3], 'same'],
    [11, 7, 2, 3, [3, 3], [4, 4], 'valid'],
    [8, 8, 4, 5, [2, 2], [2, 2], 'same'],
  ] as const)(
    '%d×%d, %d→%d channels, kernel %j, strides %j, %s: equals the gradient of tf.conv2d',
    (height, width, inChannels, outChannels, kernel, strides, padding) => {
      const before = tf.memory().numTensors;
      const weight = tf.randomNormal([...kernel, inChannels, outChannels], 0, 1, 'float32', 4);
      const op = new Conv2DOp(
        { weight, bias: null },
        {
          kernel,
          strides,
          dilations: [1, 1],
          padding: [
            axisPadding(height, kernel[0], strides[0], 1, padding),
            axisPadding(width, kernel[1], strides[1], 1, padding),
          ],
        },
      );
      tf.tidy(() => {
        const a = tf.randomNormal([2, height, width, inChannels], 0, 1, 'float32', 5);
        const s = tf.randomNormal(op.forward(a).shape, 0, 1, 'float32', 6);
        const gradient = tf.grad((x: tf.Tensor) =>
          tf
            .conv2d(x as tf.Tensor4D, weight as tf.Tensor4D, [...strides], padding)
            .mul(s)
            .sum(),
        )(a);
        const transposed = op.transpose(s, a.shape);
        expect(transposed.shape).toEqual(a.shape);
        const error = transposed.sub(gradient).abs().max().dataSync()[0];
        const scale = gradient.abs().max().dataSync()[0];
        expect(error).toBeLessThan(1e-5 * scale);
      });
      op.dispose();
      weight.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});
