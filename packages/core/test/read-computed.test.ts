/**
 * `readComputed`: the values of a tensor computed in tidy, read outside it. Its point (no typed
 * array handed back through tf.tidy) is kept by a lint rule; these tests keep its contract.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, readComputed } from '@rlrp/core';
import { withNativeEngine } from './support/native-engine';
import { expectNoTensorLeakPerTest } from './support/tensor-leak-check';

withNativeEngine();
expectNoTensorLeakPerTest();

describe('readComputed', () => {
  it('gives the values of the tensor computed, in its dtype, and keeps no tensor', () => {
    const x = tf.tensor2d([
      [1, -2, 3],
      [6, 5, -4],
    ]);
    const before = tf.memory().numTensors;
    const sums = readComputed(() => x.abs().sum(1));
    const classes = readComputed(() => x.argMax(1));
    expect(sums).toBeInstanceOf(Float32Array);
    expect(Array.from(sums)).toEqual([6, 15]);
    expect(classes).toBeInstanceOf(Int32Array);
    expect(Array.from(classes)).toEqual([2, 0]);
    // The temporaries (abs) and the results are gone.
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('gives values that later computations do not overwrite', () => {
    // On wasm a disposed tensor's memory is handed out again at once: a view into the heap would
    // show the next tensor's values.
    const values = readComputed(() => tf.fill([1024], 7));
    const next = tf.fill([1024], -1);
    next.dataSync();
    expect(values.every((v) => v === 7)).toBe(true);
    next.dispose();
  });

  it('rethrows what the computation throws, keeping none of its tensors', () => {
    const before = tf.memory().numTensors;
    expect(() =>
      readComputed(() => {
        tf.ones([4]).mul(2);
        throw new RangeError('computation failed');
      }),
    ).toThrow(RangeError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a computation that returns anything but one tensor, disposing what it returned', () => {
    const before = tf.memory().numTensors;
    const wrong: (() => unknown)[] = [
      () => [tf.ones([2]), tf.zeros([3])],
      () => ({ a: tf.ones([2]) }),
      () => 5,
      () => null,
      () => tf.ones([4]).dataSync(),
    ];
    for (const compute of wrong) {
      expect(() => readComputed(compute as () => tf.Tensor)).toThrow(OptionError);
    }
    expect(() => readComputed((() => [tf.ones([1])]) as unknown as () => tf.Tensor)).toThrow(
      'Option compute = a function returning an array is invalid: it must be a function returning one tf.Tensor.',
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
