import * as tf from '@tensorflow/tfjs';

/**
 * Registers, in the test file or `describe` it is called from, a check that every test ends with
 * as many live tensors as it started with: a leak fails the test that caused it.
 */
export function expectNoTensorLeakPerTest(): void {
  let baseline = 0;
  beforeEach(() => {
    baseline = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors).toBe(baseline);
  });
}
