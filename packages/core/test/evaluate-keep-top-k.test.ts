import * as tf from '@tensorflow/tfjs';
import {
  KEEP_TOP_K_PERCENTS,
  RlrpError,
  keepTopKAccuracy,
  randomPixelRanking,
  rankPixels,
  pixelScores,
} from '../src/index';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
/** The only pixel the test classifier looks at. */
const WATCHED = 13 * SIDE + 15;

/** Class 1 iff the watched pixel is above 0.5, else class 0. */
function onePixelClassifier(images: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const v = images.reshape([images.shape[0], PIXELS]).slice([0, WATCHED], [-1, 1]);
    return tf.concat([tf.scalar(0.5).sub(v), v.sub(0.5)], 1) as tf.Tensor2D;
  });
}

/** n images of seeded noise in [0, 0.4] with the watched pixel set to 1; all labelled 1. */
function watchedImages(n: number): { images: tf.Tensor4D; labels: number[] } {
  const values = new Float32Array(n * PIXELS);
  let state = 7;
  for (let i = 0; i < values.length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    values[i] = (state / 2147483648) * 0.4;
  }
  for (let s = 0; s < n; s++) values[s * PIXELS + WATCHED] = 1;
  return { images: tf.tensor4d(values, [n, SIDE, SIDE, 1]), labels: new Array(n).fill(1) };
}

function oneHotRelevance(n: number, value: number): Float32Array {
  const r = new Float32Array(n * PIXELS);
  for (let s = 0; s < n; s++) r[s * PIXELS + WATCHED] = value;
  return r;
}

describe('keepTopKAccuracy on a classifier that looks at one pixel', () => {
  let baseline: number;
  beforeEach(() => (baseline = tf.memory().numTensors));

  it('keeps full accuracy at k = 1 % (8 of 784 pixels) when that pixel is ranked first', () => {
    const { images, labels } = watchedImages(12);
    const result = keepTopKAccuracy({
      classifier: onePixelClassifier,
      images,
      labels,
      order: oneHotRelevance(12, 1),
      batchSize: 5,
    });
    expect(result.percents).toEqual(KEEP_TOP_K_PERCENTS);
    expect(result.pixelsKept[0]).toBe(8);
    expect(result.pixelsKept[KEEP_TOP_K_PERCENTS.indexOf(15)]).toBe(118);
    expect(result.accuracy).toEqual(KEEP_TOP_K_PERCENTS.map(() => 1));
    images.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('loses every image below k = 100 % when that pixel is ranked last', () => {
    const { images, labels } = watchedImages(6);
    const result = keepTopKAccuracy({
      classifier: onePixelClassifier,
      images,
      labels,
      order: oneHotRelevance(6, -1),
    });
    expect(result.accuracy).toEqual(KEEP_TOP_K_PERCENTS.map((k) => (k === 100 ? 1 : 0)));
    images.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('with the random ranking, is right exactly for the images whose permutation keeps the pixel', () => {
    const n = 40;
    const { images, labels } = watchedImages(n);
    const seed = 99;
    const percents = [1, 15, 50, 100];
    const result = keepTopKAccuracy({
      classifier: onePixelClassifier,
      images,
      labels,
      order: 'random',
      seed,
      percents,
    });
    const ranking = randomPixelRanking(n, PIXELS, seed);
    const expectedCorrect = percents.map((k) => {
      const kept = Math.round((k / 100) * PIXELS);
      return Array.from({ length: n }, (_, s) =>
        ranking.subarray(s * PIXELS, (s + 1) * PIXELS).indexOf(WATCHED) < kept ? 1 : 0,
      );
    });
    expect(result.correct.map((c) => Array.from(c))).toEqual(expectedCorrect);
    const expected = expectedCorrect.map((c) => c.reduce((a: number, b) => a + b, 0) / n);
    expect(result.accuracy).toEqual(expected);
    expect(result.accuracy[3]).toBe(1);
    images.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('fills removed pixels with the baseline value (baseline 1 keeps the watched pixel above 0.5)', () => {
    const { images, labels } = watchedImages(4);
    const result = keepTopKAccuracy({
      classifier: onePixelClassifier,
      images,
      labels,
      order: oneHotRelevance(4, -1),
      baseline: 1,
      percents: [1, 10],
    });
    expect(result.accuracy).toEqual([1, 1]);
    images.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('works with a tf.LayersModel and relevance given as a tensor', () => {
    const model = tf.sequential();
    model.add(tf.layers.flatten({ inputShape: [SIDE, SIDE, 1] }));
    model.add(tf.layers.dense({ units: 2, useBias: true }));
    const kernel = new Float32Array(PIXELS * 2);
    kernel[WATCHED * 2 + 0] = -1;
    kernel[WATCHED * 2 + 1] = 1;
    model.layers[1].setWeights([tf.tensor2d(kernel, [PIXELS, 2]), tf.tensor1d([0.5, -0.5])]);
    const { images, labels } = watchedImages(3);
    const relevance = tf.tensor4d(oneHotRelevance(3, 2), [3, SIDE, SIDE, 1]);
    const before = tf.memory().numTensors;
    const result = keepTopKAccuracy({ classifier: model, images, labels, order: relevance });
    expect(result.accuracy).toEqual(KEEP_TOP_K_PERCENTS.map(() => 1));
    expect(tf.memory().numTensors).toBe(before);
    relevance.dispose();
    images.dispose();
    model.dispose();
  });
});

describe('pixel ranking', () => {
  it('sums relevance over channels, signed, before ranking', () => {
    // 1 sample, 2×2 pixels, 3 channels: pixel sums are 3, −3, 0.5, 1.
    const relevance = new Float32Array([1, 1, 1, -1, -1, -1, 5, -4, -0.5, 0, 0, 1]);
    const scores = pixelScores(relevance, [1, 2, 2, 3]);
    expect(Array.from(scores)).toEqual([3, -3, 0.5, 1]);
    expect(Array.from(rankPixels(scores, 1, 4))).toEqual([0, 3, 2, 1]);
  });

  it('breaks ties by the seeded random permutation and ranks NaN last', () => {
    const scores = new Float32Array([0, 0, 0, 0, NaN, 0]);
    const random = randomPixelRanking(1, 6, 5);
    const ranking = Array.from(rankPixels(scores, 1, 6, 5));
    expect(ranking[5]).toBe(4);
    expect(ranking.slice(0, 5)).toEqual(Array.from(random).filter((p) => p !== 4));
    expect(Array.from(rankPixels(scores, 1, 6, 5))).toEqual(ranking);
  });

  it('rejects relevance that does not fit the images, and bad percents', () => {
    const images = tf.zeros([2, 4, 4, 1]) as tf.Tensor4D;
    expect(() =>
      keepTopKAccuracy({
        classifier: (x) => x.reshape([x.shape[0], 16]) as tf.Tensor2D,
        images,
        labels: [0, 0],
        order: new Float32Array(5),
      }),
    ).toThrow(RlrpError);
    expect(() =>
      keepTopKAccuracy({
        classifier: (x) => x.reshape([x.shape[0], 16]) as tf.Tensor2D,
        images,
        labels: [0, 0],
        order: 'random',
        percents: [150],
      }),
    ).toThrow(/a percentage in \(0, 100\]/);
    expect(() =>
      keepTopKAccuracy({
        classifier: (x) => x.reshape([x.shape[0], 16]) as tf.Tensor2D,
        images,
        labels: [0],
        order: 'random',
      }),
    ).toThrow(/1 labels for 2 images/);
    images.dispose();
  });
});

describe('a slice of a larger set (firstSample)', () => {
  it('gets the random permutations and tie-breaks of the same images in the whole set', () => {
    const whole = randomPixelRanking(5, 6, 42);
    expect(Array.from(randomPixelRanking(3, 6, 42, 2))).toEqual(Array.from(whole.subarray(12)));
    const constant = new Float32Array(3 * 6);
    expect(Array.from(rankPixels(constant, 3, 6, 42, 2))).toEqual(Array.from(whole.subarray(12)));
  });

  it('keeps exactly the per-image results of the whole run', () => {
    const before = tf.memory().numTensors;
    const { images, labels } = watchedImages(10);
    const percents = [5, 15];
    const run = (from: number, to: number) => {
      const slice = images.slice(from, to - from);
      const result = keepTopKAccuracy({
        classifier: onePixelClassifier,
        images: slice,
        labels: labels.slice(from, to),
        order: 'random',
        percents,
        firstSample: from,
      });
      slice.dispose();
      return result.correct.map((c) => Array.from(c));
    };
    const whole = run(0, 10);
    expect(whole[1].some((c) => c === 1) && whole[1].some((c) => c === 0)).toBe(true);
    const tail = run(6, 10);
    expect(tail).toEqual(whole.map((c) => c.slice(6)));
    images.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
