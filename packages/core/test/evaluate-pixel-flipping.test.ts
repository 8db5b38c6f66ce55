import * as tf from '@tensorflow/tfjs';
import { pixelFlippingCurve, evaluatePixelOrder, trapezoidArea } from '../src/index';

/** Class 0 scores Σ w_i x_i over a 2×2 grey image with w = [4, 3, 2, 1]; class 1 scores 0. */
function linearClassifier(images: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const f = images.reshape([images.shape[0], 4]).matMul(tf.tensor2d([4, 3, 2, 1], [4, 1]));
    return tf.concat([f, tf.zerosLike(f)], 1) as tf.Tensor2D;
  });
}

describe('deletion and insertion curves on a linear model with known answers', () => {
  let baseline: number;
  beforeEach(() => (baseline = tf.memory().numTensors));

  it('deletion removes the most relevant pixel first: scores 10, 6, 3, 1, 0', () => {
    const images = tf.ones([2, 2, 2, 1]) as tf.Tensor4D;
    const relevance = new Float32Array([4, 3, 2, 1, 4, 3, 2, 1]);
    const curve = pixelFlippingCurve({
      classifier: linearClassifier,
      images,
      order: relevance,
      mode: 'deletion',
      steps: 4,
      scoreOutput: 'logits',
      batchSize: 1,
    });
    expect(curve.fractions).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(curve.meanScore).toEqual([10, 6, 3, 1, 0]);
    // AUC = ¼ · (8 + 4.5 + 2 + 0.5); AOPC = (0 + 4 + 7 + 9 + 10) / 5.
    expect(curve.auc).toBeCloseTo(3.75, 6);
    expect(curve.aopc).toBeCloseTo(6, 6);
    images.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('insertion restores the most relevant pixel first: scores 0, 4, 7, 9, 10', () => {
    const images = tf.ones([1, 2, 2, 1]) as tf.Tensor4D;
    const curve = pixelFlippingCurve({
      classifier: linearClassifier,
      images,
      order: new Float32Array([4, 3, 2, 1]),
      mode: 'insertion',
      steps: 4,
      scoreOutput: 'logits',
    });
    expect(curve.meanScore).toEqual([0, 4, 7, 9, 10]);
    expect(curve.auc).toBeCloseTo(6.25, 6);
    expect(curve.aopc).toBeCloseTo(6, 6);
    images.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('the reversed ranking deletes slowly (lower AOPC) and inserts slowly', () => {
    const images = tf.ones([1, 2, 2, 1]) as tf.Tensor4D;
    const run = (mode: 'deletion' | 'insertion') =>
      pixelFlippingCurve({
        classifier: linearClassifier,
        images,
        order: new Float32Array([1, 2, 3, 4]),
        mode,
        steps: 4,
        scoreOutput: 'logits',
      });
    expect(run('deletion').meanScore).toEqual([10, 9, 7, 4, 0]);
    expect(run('deletion').aopc).toBeCloseTo(4, 6);
    expect(run('insertion').meanScore).toEqual([0, 1, 3, 6, 10]);
    images.dispose();
  });

  it('tracks probabilities by default and the class predicted on the intact image', () => {
    const images = tf.ones([1, 2, 2, 1]) as tf.Tensor4D;
    const curve = pixelFlippingCurve({
      classifier: linearClassifier,
      images,
      order: new Float32Array([4, 3, 2, 1]),
      mode: 'deletion',
      steps: 4,
    });
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
    [10, 6, 3, 1, 0].forEach((z, i) => expect(curve.meanScore[i]).toBeCloseTo(sigmoid(z), 5));
    images.dispose();
  });

  it('trapezoidArea integrates a straight line exactly', () => {
    expect(trapezoidArea([0, 0.5, 1], [1, 0.5, 0])).toBeCloseTo(0.5, 12);
  });
});

describe('deletion on a classifier that looks at one pixel', () => {
  const SIDE = 28;
  const WATCHED = 200;
  const classifier = (images: tf.Tensor4D): tf.Tensor2D =>
    tf.tidy(() => {
      const v = images.reshape([images.shape[0], SIDE * SIDE]).slice([0, WATCHED], [-1, 1]);
      return tf.concat([tf.zerosLike(v), v.mul(10)], 1) as tf.Tensor2D;
    });

  it('the correct ranking drops at the first step; random drops later (positive AOPC vs random)', () => {
    const n = 8;
    const images = tf.tidy(() => {
      const base = tf.fill([n, SIDE * SIDE], 0.3);
      const mask = tf.oneHot(tf.fill([n], WATCHED, 'int32'), SIDE * SIDE);
      return base.add(mask).reshape([n, SIDE, SIDE, 1]) as tf.Tensor4D;
    });
    const relevance = new Float32Array(n * SIDE * SIDE);
    for (let s = 0; s < n; s++) relevance[s * SIDE * SIDE + WATCHED] = 1;
    const before = tf.memory().numTensors;
    const perfect = evaluatePixelOrder({
      classifier,
      images,
      labels: new Array(n).fill(1),
      order: relevance,
      steps: 10,
    });
    const random = evaluatePixelOrder({
      classifier,
      images,
      labels: new Array(n).fill(1),
      order: 'random',
      steps: 10,
    });
    expect(tf.memory().numTensors).toBe(before);
    const p = perfect.deletion.meanScore;
    expect(p[0]).toBeCloseTo(1 / (1 + Math.exp(-13)), 5);
    p.slice(1).forEach((v) => expect(v).toBeCloseTo(0.5, 6));
    expect(random.deletion.meanScore[1]).toBeGreaterThan(p[1]);
    expect(perfect.deletion.aopc).toBeGreaterThan(random.deletion.aopc);
    expect(perfect.insertion.aopc).toBeGreaterThan(random.insertion.aopc);
    expect(perfect.keepTopK.accuracy[0]).toBe(1);
    images.dispose();
  });
});
