/**
 * Evaluation options that would compute a plausible but wrong metric fail with a typed error that
 * names the option, and leave no tensor behind.
 */
import * as tf from '@tensorflow/tfjs';
import {
  ClassIndexError,
  EvaluationOptionError,
  PixelRankingError,
  compareMethods,
  evaluatePixelOrder,
  keepTopKAccuracy,
  pixelFlippingCurve,
  relevanceScores,
  type CompareMethodsOptions,
  type FlippingMode,
  type KeepTopKOptions,
  type PixelFlippingOptions,
  type ScoreOutput,
} from '../src/index';
import { thrown } from './support/thrown';

const SIDE = 4;
const PIXELS = SIDE * SIDE;
const CLASSES = 3;

/** Three classes scoring the sums of three pixel groups: enough to be a real classifier. */
function groupClassifier(images: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const flat = images.reshape([images.shape[0], PIXELS]);
    const weights = new Float32Array(PIXELS * CLASSES);
    for (let p = 0; p < PIXELS; p++) weights[p * CLASSES + (p % CLASSES)] = 1;
    return flat.matMul(tf.tensor2d(weights, [PIXELS, CLASSES])) as tf.Tensor2D;
  });
}

/** Ranking `0 … PIXELS−1` for each of `n` images. */
function identityRanking(n: number): Int32Array {
  return Int32Array.from({ length: n * PIXELS }, (_, i) => i % PIXELS);
}

describe('evaluation options fail loudly', () => {
  let images: tf.Tensor4D;
  let before: number;
  beforeEach(() => {
    images = tf.randomUniform([2, SIDE, SIDE, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    before = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
  });

  const keepTopK = (extra: Partial<KeepTopKOptions>) =>
    keepTopKAccuracy({
      classifier: groupClassifier,
      images,
      labels: [0, 1],
      order: 'random',
      ...extra,
    });
  const flipping = (extra: Partial<PixelFlippingOptions>) =>
    pixelFlippingCurve({
      classifier: groupClassifier,
      images,
      order: 'random',
      mode: 'deletion',
      ...extra,
    });

  it('still computes with valid options (the checks reject nothing valid)', () => {
    const result = keepTopK({ percents: [100, 50], order: { ranking: identityRanking(2) } });
    expect(result.accuracy[0]).toBe(
      Array.from(tf.tidy(() => groupClassifier(images).argMax(1).dataSync())).filter(
        (p, i) => p === [0, 1][i],
      ).length / 2,
    );
    expect(result.correct.map((c) => c.length)).toEqual([2, 2]);
    expect(flipping({ mode: 'insertion', targets: [2, 0], steps: 2 }).samples).toBe(2);
  });

  it('an unknown mode (deletion and insertion were told apart by one comparison before)', () => {
    const error = thrown(() => flipping({ mode: 'delete' as FlippingMode }));
    expect(error).toBeInstanceOf(EvaluationOptionError);
    expect(error).toMatchObject({ option: 'mode', value: 'delete' });
    expect((error as Error).message).toMatch(/deletion, insertion/);
  });

  it('an unknown score output', () => {
    const error = thrown(() => flipping({ scoreOutput: 'softmax' as ScoreOutput }));
    expect(error).toMatchObject({ option: 'scoreOutput', value: 'softmax' });
    expect((error as Error).message).toMatch(/auto, probabilities, logits/);
  });

  it.each([
    [[0, 3], 1, 3],
    [[-1, 0], 0, -1],
    [[0, 1.5], 1, 1.5],
  ])('a target outside the classes: %p', (targets, sample, index) => {
    const error = thrown(() => flipping({ targets }));
    expect(error).toBeInstanceOf(ClassIndexError);
    expect(error).toMatchObject({ what: 'targets', sample, index, classes: CLASSES });
    expect((error as Error).message).toMatch(/0…2 \(the classifier outputs 3 classes\)/);
  });

  it('a label outside the classes, also as a tensor', () => {
    expect(thrown(() => keepTopK({ labels: [0, 10] }))).toMatchObject({
      what: 'labels',
      sample: 1,
      index: 10,
    });
    const labels = tf.tensor1d([7, 0], 'int32');
    expect(thrown(() => keepTopK({ labels }))).toBeInstanceOf(ClassIndexError);
    labels.dispose();
  });

  it('a label count that does not match the images', () => {
    const error = thrown(() => keepTopK({ labels: [0] }));
    expect(error).toMatchObject({ option: 'labels.length', value: 1 });
    expect((error as Error).message).toMatch(/1 labels for 2 images/);
  });

  it.each([
    ['outside the image', 1, 3, PIXELS],
    ['outside the image', 0, 0, -1],
    ['not an integer', 1, 5, 2.5],
    ['a duplicate', 0, 7, 2],
  ] as const)('a ranking entry %s', (problem, sample, position, pixel) => {
    const ranking: number[] = Array.from(identityRanking(2));
    ranking[sample * PIXELS + position] = pixel; // pixel 2 of 'a duplicate' is already at position 2
    // A plain array stands in for what JavaScript callers can pass despite the Int32Array type.
    const order = { ranking: ranking as unknown as Int32Array };
    const error = thrown(() => keepTopK({ order }));
    expect(error).toBeInstanceOf(PixelRankingError);
    expect(error).toMatchObject({ sample, position, pixel, pixels: PIXELS, problem });
    expect(thrown(() => flipping({ order }))).toBeInstanceOf(PixelRankingError);
  });

  it('a ranking of the wrong length', () => {
    const error = thrown(() => keepTopK({ order: { ranking: identityRanking(1) } }));
    expect(error).toMatchObject({ option: 'ranking.length', value: PIXELS });
  });

  it.each([[[0]], [[-5]], [[150]], [[NaN]], [[]]])('keep-top-k percents %p', (percents) => {
    expect(thrown(() => keepTopK({ percents }))).toBeInstanceOf(EvaluationOptionError);
  });

  it.each([
    ['steps', { steps: 0 }],
    ['steps', { steps: 2.5 }],
    ['batchSize', { batchSize: 0 }],
    ['seed', { seed: 1.5 }],
    ['seed', { seed: NaN }],
    ['firstSample', { firstSample: -1 }],
    ['firstSample', { firstSample: 0.5 }],
    ['baseline', { baseline: NaN }],
    ['order', { order: 'Random' as const }],
  ])('%s: %p', (option, extra) => {
    const error = thrown(() =>
      flipping(extra as unknown as Partial<PixelFlippingOptions>),
    ) as EvaluationOptionError;
    expect(error).toBeInstanceOf(EvaluationOptionError);
    expect(error.option).toBe(option);
  });

  it('a baseline tensor that does not broadcast to one image', () => {
    const wrong = tf.zeros([3, 3]);
    const error = thrown(() => keepTopK({ baseline: wrong }));
    expect(error).toMatchObject({ option: 'baseline' });
    expect((error as Error).message).toMatch(/broadcastable to one image \[4, 4, 1\]/);
    wrong.dispose();
    const batched = tf.zeros([2, SIDE, SIDE, 1]);
    expect(thrown(() => keepTopK({ baseline: batched }))).toMatchObject({ option: 'baseline' });
    batched.dispose();
    const perChannel = tf.zeros([1]);
    const meanImage = tf.zeros([1, SIDE, SIDE, 1]);
    expect(keepTopK({ baseline: perChannel, percents: [50] }).samples).toBe(2);
    expect(keepTopK({ baseline: meanImage, percents: [50] }).samples).toBe(2);
    tf.dispose([perChannel, meanImage]);
  });

  it('an empty batch (accuracy would be 0/0)', () => {
    const empty = tf.zeros([0, SIDE, SIDE, 1]) as tf.Tensor4D;
    expect(thrown(() => keepTopK({ images: empty, labels: [] }))).toMatchObject({
      option: 'images',
    });
    expect(() =>
      evaluatePixelOrder({
        classifier: groupClassifier,
        images: empty,
        labels: [],
        order: 'random',
      }),
    ).toThrow(EvaluationOptionError);
    empty.dispose();
  });

  it('relevanceScores rejects a batch size of 0 instead of looping forever', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [SIDE, SIDE, 1] }),
        tf.layers.dense({ units: CLASSES }),
      ],
    });
    const beforeModel = tf.memory().numTensors;
    expect(
      thrown(() => relevanceScores(model, images, { rules: ['rlrp'], batchSize: 0 })),
    ).toMatchObject({ option: 'batchSize', value: 0 });
    // No rules: nothing explained, no progress reported.
    const progress = jest.fn();
    expect(relevanceScores(model, images, { rules: [], onProgress: progress })).toEqual([]);
    expect(progress).not.toHaveBeenCalled();
    const compare = (options: Partial<CompareMethodsOptions>) =>
      compareMethods({
        model,
        images,
        labels: [0, 1],
        methods: [{ name: 'R-LRP', rule: 'rlrp' }],
        ...options,
      });
    // compareMethods checks the labels before it explains anything.
    await expect(compare({ labels: [0, 3] })).rejects.toBeInstanceOf(ClassIndexError);
    await expect(compare({ explainBatchSize: -1 })).rejects.toMatchObject({
      option: 'explainBatchSize',
    });
    expect(tf.memory().numTensors).toBe(beforeModel);
    model.dispose();
  });

  it('compareMethods rejects workers 0, 1.5 and NaN before any worker starts', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [SIDE, SIDE, 1] }),
        tf.layers.dense({ units: CLASSES }),
      ],
    });
    const beforeModel = tf.memory().numTensors;
    for (const workers of [0, 1.5, NaN]) {
      await expect(
        compareMethods({
          model,
          images,
          labels: [0, 1],
          methods: [{ name: 'R-LRP', rule: 'rlrp' }],
          workers,
        }),
      ).rejects.toMatchObject({ option: 'workers' });
    }
    expect(tf.memory().numTensors).toBe(beforeModel);
    model.dispose();
  });
});
