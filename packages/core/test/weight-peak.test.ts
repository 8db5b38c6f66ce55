import * as tf from '@tensorflow/tfjs';
import { weightPeakOf } from '../src/layers/weight-peak';

/**
 * `weightPeakOf` reads `max |w|` and finiteness with full reductions only: no elementwise temporary
 * the size of the weights (on wasm such a temporary grows the heap for good: 822 MB for VGG16's fc1).
 */
describe('weightPeakOf', () => {
  it('gives max |w| from either sign and finite for ordinary weights', () => {
    const before = tf.memory().numTensors;
    const positive = tf.tensor1d([0.5, -0.25, 3]);
    const negative = tf.tensor2d([
      [0.5, -7],
      [2, 1],
    ]);
    expect(weightPeakOf(positive)).toEqual({ peak: 3, finite: true });
    expect(weightPeakOf(negative)).toEqual({ peak: 7, finite: true });
    positive.dispose();
    negative.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is 0 and finite for an all-zero or empty tensor', () => {
    const zeros = tf.zeros([3, 4]);
    const empty = tf.zeros([0, 4]);
    expect(weightPeakOf(zeros)).toEqual({ peak: 0, finite: true });
    expect(weightPeakOf(empty)).toEqual({ peak: 0, finite: true });
    tf.dispose([zeros, empty]);
  });

  it('flags NaN, +Infinity and −Infinity wherever they sit', () => {
    const before = tf.memory().numTensors;
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (const at of [0, 2, 5]) {
        const values = [0.5, -1, 2, 0, 1, -0.5];
        values[at] = bad;
        const weight = tf.tensor2d(values, [2, 3]);
        expect(weightPeakOf(weight).finite).toBe(false);
        weight.dispose();
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps finite weights finite when their float32 sum overflows', () => {
    const huge = tf.tensor1d([3e38, 3e38, 3e38, -1]);
    const { peak, finite } = weightPeakOf(huge);
    expect(finite).toBe(true);
    expect(peak).toBeCloseTo(3e38, -33);
    huge.dispose();
  });

  it('allocates nothing the size of the weights', () => {
    const weight = tf.randomNormal([512, 1024], 0, 1, 'float32', 5);
    const bytes = weight.size * 4;
    return tf
      .profile(() => {
        weightPeakOf(weight);
      })
      .then((info) => {
        expect(info.newTensors).toBe(0);
        expect(info.peakBytes - bytes).toBeLessThan(bytes / 100);
        weight.dispose();
      });
  });
});
