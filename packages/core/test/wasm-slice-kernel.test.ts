/**
 * The wasm engine's Slice (engine/wasm-slice-kernel.ts) against the cpu backend's, on every rank and
 * numeric dtype, with the device never read.
 */
import * as tf from '@tensorflow/tfjs';
import { readsDuring } from './support/device-reads';
import { expectNoTensorLeakPerTest } from './support/tensor-leak-check';

expectNoTensorLeakPerTest();

const cases: [number[], number[], number[]][] = [
  // [shape, begin, size (-1: to the end)]
  [[7], [2], [4]],
  [
    [5, 6],
    [1, 2],
    [3, -1],
  ],
  [
    [4, 5, 6],
    [1, 0, 2],
    [2, 5, 3],
  ],
  [
    [2, 230, 230, 3],
    [0, 3, 3, 0],
    [2, 224, 224, 3],
  ],
  [
    [1, 114, 114, 8],
    [0, 1, 1, 0],
    [1, 112, 112, 8],
  ],
  [
    [2, 3, 4, 5, 6],
    [1, 0, 1, 2, 3],
    [1, 3, 2, 2, 3],
  ],
  [
    [3, 4],
    [0, 0],
    [0, 4],
  ],
  // Trailing axes kept whole: each row copied spans them (rows of 60, 18 and 4 values, then
  // one of 96, which takes the block copy).
  [
    [2, 3, 4, 5, 6],
    [1, 0, 1, 0, 0],
    [1, 3, 2, 5, 6],
  ],
  [
    [4, 5, 6],
    [1, 2, 0],
    [2, 3, 6],
  ],
  [
    [3, 4, 2, 1],
    [0, 1, 0, 0],
    [3, 2, 2, 1],
  ],
  [
    [2, 10, 12, 8],
    [0, 1, 0, 0],
    [2, 8, 12, 8],
  ],
];

describe('Slice on the wasm engine', () => {
  it.each(cases)('of %j from %j, size %j, equals the cpu backend’s', async (shape, begin, size) => {
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      const length = shape.reduce((a, b) => a * b, 1);
      const values =
        dtype === 'bool'
          ? Array.from({ length }, (_, i) => i % 3 === 0)
          : Array.from({ length }, (_, i) => (i * 7919) % 1000);
      const onWasm = tf.tidy(() => tf.tensor(values, shape, dtype).slice(begin, size));
      const wasmValues = Array.from(onWasm.dataSync());
      const wasmShape = onWasm.shape;
      onWasm.dispose();
      await tf.setBackend('cpu');
      const onCpu = tf.tidy(() => tf.tensor(values, shape, dtype).slice(begin, size));
      expect(wasmShape).toEqual(onCpu.shape);
      expect(wasmValues).toEqual(Array.from(onCpu.dataSync()));
      onCpu.dispose();
      await tf.setBackend('wasm');
    }
  });

  it('never reads the device', () => {
    const x = tf.ones([1, 230, 230, 3]);
    let cropped: tf.Tensor | undefined;
    expect(
      readsDuring(() => {
        cropped = x.slice([0, 3, 3, 0], [1, 224, 224, 3]);
      }),
    ).toBe(0);
    tf.dispose([x, cropped as tf.Tensor]);
  });
});
