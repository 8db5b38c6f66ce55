import * as tf from '@tensorflow/tfjs';
import { DenseOp } from '../src/layers/dense';

/**
 * A Dense kernel at or above the op's size threshold is multiplied unpacked on wasm (`(Kᵀ aᵀ)ᵀ`, no
 * XNNPACK copy of K); the result must equal the packed product `a K + b`. The threshold is lowered
 * here so that a small kernel takes that path.
 */
describe('DenseOp forward with an unpacked kernel', () => {
  let kernel: tf.Tensor2D;
  let bias: tf.Tensor1D;
  beforeAll(() => {
    kernel = tf.randomNormal([300, 70], 0, 0.1, 'float32', 1);
    bias = tf.randomNormal([70], 0, 1, 'float32', 2);
  });
  afterAll(() => tf.dispose([kernel, bias]));

  it('takes the unpacked path only from the threshold on, for small batches, on wasm', () => {
    const bytes = kernel.size * 4;
    expect(tf.getBackend()).toBe('wasm');
    const atThreshold = new DenseOp({ weight: kernel, bias }, [], bytes);
    expect(atThreshold.keepsUnpacked(kernel, 1)).toBe(true);
    expect(atThreshold.keepsUnpacked(kernel, 4)).toBe(true);
    // A dataset-sized batch: the product's cost grows with it, packing once pays.
    expect(atThreshold.keepsUnpacked(kernel, 5)).toBe(false);
    const aboveKernel = new DenseOp({ weight: kernel, bias }, [], bytes + 1);
    expect(aboveKernel.keepsUnpacked(kernel, 1)).toBe(false);
    // The default threshold leaves every kernel of an ordinary size packed.
    expect(new DenseOp({ weight: kernel, bias }).keepsUnpacked(kernel, 1)).toBe(false);
  });

  it('equals the packed product, with and without bias, for one and several samples', () => {
    const before = tf.memory().numTensors;
    const unpacked = new DenseOp({ weight: kernel, bias }, [], 0);
    const packed = new DenseOp({ weight: kernel, bias }, [], Infinity);
    for (const batch of [1, 3]) {
      const a = tf.randomUniform([batch, 300], -1, 1, 'float32', batch) as tf.Tensor2D;
      for (const params of [
        { weight: kernel, bias },
        { weight: kernel, bias: null },
      ]) {
        const [difference, scale] = tf.tidy(() => {
          const got = unpacked.forward(a, params);
          const want = packed.forward(a, params);
          expect(got.shape).toEqual([batch, 70]);
          // A product computed apart from both ops pins down which of them is right.
          const reference = params.bias ? tf.matMul(a, kernel).add(bias) : tf.matMul(a, kernel);
          return [
            tf.max(tf.abs(got.sub(want))).dataSync()[0] +
              tf.max(tf.abs(got.sub(reference))).dataSync()[0],
            tf.max(tf.abs(want)).dataSync()[0],
          ];
        });
        expect(scale).toBeGreaterThan(0.1);
        expect(difference).toBeLessThan(1e-5 * scale * 300);
      }
      a.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
