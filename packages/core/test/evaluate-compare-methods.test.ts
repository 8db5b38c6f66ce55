import * as fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { compareMethods, relevanceScores, spearmanRankCorrelation, epsilon } from '../src/index';

const SIDE = 8;
const PIXELS = SIDE * SIDE;
const WATCHED = 27;

/** Flatten → Dense(4, relu) → Dense(2): only the watched pixel has a non-zero weight. */
function onePixelModel(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.flatten({ inputShape: [SIDE, SIDE, 1] }));
  model.add(tf.layers.dense({ units: 4, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
  const hidden = new Float32Array(PIXELS * 4);
  hidden[WATCHED * 4 + 0] = 1;
  hidden[WATCHED * 4 + 1] = 2;
  model.layers[1].setWeights([tf.tensor2d(hidden, [PIXELS, 4]), tf.zeros([4])]);
  model.layers[2].setWeights([
    tf.tensor2d([-1, 1, -1, 1, 0, 0, 0, 0], [4, 2]),
    tf.tensor1d([0.5, -0.5]),
  ]);
  return model;
}

function images(n: number): tf.Tensor4D {
  return tf.tidy(() => {
    const noise = tf.randomUniform([n, PIXELS], 0, 0.3, 'float32', 3);
    const watched = tf.oneHot(tf.fill([n], WATCHED, 'int32'), PIXELS);
    return noise.add(watched).reshape([n, SIDE, SIDE, 1]) as tf.Tensor4D;
  });
}

describe('compareMethods through the engine', () => {
  it('ranks the watched pixel first for R-LRP and Gradient×Input, beating the random ranking', async () => {
    const model = onePixelModel();
    const x = images(10);
    const before = tf.memory().numTensors;
    const progress: string[] = [];
    const comparison = await compareMethods({
      model,
      images: x,
      labels: new Array(10).fill(1),
      methods: [
        { name: 'R-LRP', rule: 'rlrp' },
        { name: 'Gradient×Input', rule: 'gradient-x-input' },
        { name: 'LRP-ε 0.25·std', rule: epsilon({ timesStd: 0.25 }) },
      ],
      percents: [1, 15, 100],
      steps: 8,
      batchSize: 4,
      explainBatchSize: 3,
      onProgress: (p) => progress.push(`${p.stage} ${p.done}/${p.total}`),
    });
    expect(tf.memory().numTensors).toBe(before);
    for (const method of comparison.methods) {
      expect(method.keepTopK.accuracy).toEqual([1, 1, 1]);
      expect(method.nonFinite).toBe(0);
      expect(method.deletionAopcVsRandom).toBeGreaterThan(0);
      expect(method.insertionAopcVsRandom).toBeGreaterThan(0);
    }
    expect(comparison.random.deletionAopcVsRandom).toBe(0);
    expect(comparison.random.keepTopK.accuracy[2]).toBe(1);
    // The maps the rankings came from, for reuse: the same as explaining the images again.
    const again = relevanceScores(model, x, { rules: ['rlrp', 'gradient-x-input'] });
    expect(comparison.relevance.map((r) => r.targets)).toEqual(new Array(3).fill(again[0].targets));
    expect(Array.from(comparison.relevance[0].scores)).toEqual(Array.from(again[0].scores));
    expect(Array.from(comparison.relevance[1].scores)).toEqual(Array.from(again[1].scores));
    expect(progress).toContain('explain 4/4');
    expect(progress).toContain('R-LRP: deletion 3/3');
    expect(progress).toContain('random: insertion 3/3');
    x.dispose();
    model.dispose();
  });

  it('relevanceScores puts all R-LRP relevance on the watched pixel (positive) and reports the targets', () => {
    const model = onePixelModel();
    const x = images(2);
    const [rlrp] = relevanceScores(model, x, { rules: ['rlrp'] });
    for (let s = 0; s < 2; s++) {
      const map = rlrp.scores.subarray(s * PIXELS, (s + 1) * PIXELS);
      map.forEach((v, p) => (p === WATCHED ? expect(v).toBeGreaterThan(0) : expect(v).toBe(0)));
    }
    expect(rlrp.targets).toEqual([1, 1]);
    x.dispose();
    model.dispose();
  });
});

describe('relevanceScores with per-sample targets', () => {
  it('slices one target per image (and [batch, classes] output relevance) to each batch', () => {
    const model = onePixelModel();
    const x = images(5);
    const before = tf.memory().numTensors;
    const targets = [0, 1, 0, 1, 1];
    const [byClass] = relevanceScores(model, x, { rules: ['rlrp'], target: targets, batchSize: 2 });
    expect(byClass.targets).toEqual(targets);
    const start = tf.tensor2d([1, 0, 0, 1, 1, 0, 0, 1, 0, 1], [5, 2]);
    const [byStart] = relevanceScores(model, x, {
      rules: ['rlrp'],
      target: { outputRelevance: start },
      batchSize: 2,
    });
    expect(byStart.targets).toEqual([-1, -1, -1, -1, -1]);
    start.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });
});

describe('spearmanRankCorrelation', () => {
  it('is 1 for the same order, −1 for the reversed order and handles ties', () => {
    expect(spearmanRankCorrelation([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearmanRankCorrelation([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // Ranks of [1, 1, 2] are [1.5, 1.5, 3]; against [1, 2, 3]: r = 0.866…
    expect(spearmanRankCorrelation([1, 1, 2], [1, 2, 3])).toBeCloseTo(Math.sqrt(3) / 2, 12);
  });

  it('is NaN for non-finite values and constant maps', () => {
    expect(spearmanRankCorrelation([1, NaN, 3], [1, 2, 3])).toBeNaN();
    expect(spearmanRankCorrelation([0, 0, 0], [1, 2, 3])).toBeNaN();
  });

  it('equals the Pearson correlation of average ranks by their definition, ties and ±0 included', () => {
    /** Average ranks by definition: 1 + the values below, + half the other values equal to it. */
    const ranksByDefinition = (values: number[]) =>
      values.map((v) => {
        const below = values.filter((u) => u < v).length;
        const equal = values.filter((u) => u === v).length;
        return below + (equal + 1) / 2;
      });
    const pearson = (x: number[], y: number[]) => {
      const mean = (x.length + 1) / 2;
      let cov = 0;
      let vx = 0;
      let vy = 0;
      x.forEach((_, i) => {
        cov += (x[i] - mean) * (y[i] - mean);
        vx += (x[i] - mean) ** 2;
        vy += (y[i] - mean) ** 2;
      });
      return vx === 0 || vy === 0 ? NaN : cov / Math.sqrt(vx * vy);
    };
    const value = fc.oneof(
      // Neighbours that differ only in their low 32 bits, subnormals, extremes.
      fc.constantFrom(
        0,
        -0,
        1,
        -1,
        1 + 2 ** -52,
        -1 - 2 ** -52,
        5e-324,
        -5e-324,
        1e-300,
        -3.4028235e38,
      ),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: -3, max: 3 }),
    );
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 60 })
          .chain((n) =>
            fc.tuple(
              fc.array(value, { minLength: n, maxLength: n }),
              fc.array(value, { minLength: n, maxLength: n }),
            ),
          ),
        ([a, b]) => {
          const expected = pearson(ranksByDefinition(a), ranksByDefinition(b));
          const got = spearmanRankCorrelation(a, b);
          if (Number.isNaN(expected)) expect(got).toBeNaN();
          else expect(got).toBeCloseTo(expected, 12);
          // The maps' own type: the same values rounded to float32 (finite ones).
          const [a32, b32] = [Float32Array.from(a), Float32Array.from(b)];
          if ([...a32, ...b32].every(Number.isFinite)) {
            const expected32 = pearson(ranksByDefinition([...a32]), ranksByDefinition([...b32]));
            const got32 = spearmanRankCorrelation(a32, b32);
            if (Number.isNaN(expected32)) expect(got32).toBeNaN();
            else expect(got32).toBeCloseTo(expected32, 12);
          }
          // A float32 map against itself (the heatmaps' case): 1, or NaN for a constant one or one
          // that rounded to ±∞.
          const single = Float32Array.from(a);
          const self = spearmanRankCorrelation(single, single);
          if (new Set(single).size === 1 || !single.every(Number.isFinite)) expect(self).toBeNaN();
          else expect(self).toBeCloseTo(1, 12);
        },
      ),
      { numRuns: 300 },
    );
  });
});
