import * as os from 'os';
import * as tf from '@tensorflow/tfjs';
import {
  compareMethods,
  DisposedError,
  EngineError,
  UnknownRuleError,
  epsilon,
  type CompareMethodsOptions,
  type MethodComparisonWithMaps,
  type MethodEvaluation,
  type RuleName,
} from '../src/index';
import { ExplainPool } from '../src/engine/explain-pool';
import { sliceCount } from '../src/evaluate/compare-on-pool';
import { seededConvNet } from './support/seeded-conv-net';

/**
 * compareMethods over a pool of workers: the same comparison as in this thread (per-image results
 * equal, means recombined from the slices), its progress, no tensors left, and the pool ended on
 * error and abort.
 */

const SAMPLES = 9;

/** Every mean of an evaluation, in a fixed order (keep-top-k accuracy, curves, AOPCs). */
function means(e: MethodEvaluation): number[] {
  return [
    ...e.keepTopK.accuracy,
    ...e.deletion.meanScore,
    ...e.insertion.meanScore,
    e.deletion.auc,
    e.insertion.auc,
    e.deletion.aopc,
    e.insertion.aopc,
    e.deletionAopcVsRandom,
    e.insertionAopcVsRandom,
  ];
}

function expectSameComparison(
  pooled: MethodComparisonWithMaps,
  single: MethodComparisonWithMaps,
  samples = SAMPLES,
) {
  const all = (c: MethodComparisonWithMaps) => [...c.methods, c.random];
  all(pooled).forEach((e, i) => {
    const reference = all(single)[i];
    expect(e.name).toBe(reference.name);
    expect(e.nonFinite).toBe(reference.nonFinite);
    expect(e.keepTopK.samples).toBe(samples);
    expect(e.deletion.samples).toBe(samples);
    expect(e.keepTopK.correct).toEqual(reference.keepTopK.correct);
    // Means are recombined from the slices' means: float64 sums in another order.
    const expected = means(reference);
    means(e).forEach((v, j) => expect(Math.abs(v - expected[j])).toBeLessThan(1e-12));
  });
  pooled.relevance.forEach((maps, i) => {
    expect(maps.targets).toEqual(single.relevance[i].targets);
    expect(maps.nonFinite).toBe(single.relevance[i].nonFinite);
    expect(Array.from(maps.scores)).toEqual(Array.from(single.relevance[i].scores));
  });
}

describe('compareMethods on a pool of workers', () => {
  let model: tf.LayersModel;
  let images: tf.Tensor4D;
  let meanImage: tf.Tensor;
  let options: CompareMethodsOptions;

  beforeAll(() => {
    model = seededConvNet({ inputShape: [10, 10, 1], classes: 3 });
    images = tf.randomUniform([SAMPLES, 10, 10, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
    meanImage = images.mean(0);
    options = {
      model,
      images,
      labels: [0, 1, 2, 0, 1, 2, 0, 1, 2],
      methods: [
        { name: 'R-LRP', rule: 'rlrp' },
        { name: 'EpsilonPlusFlat', rule: 'EpsilonPlusFlat' },
        // A rule object holds functions: it is explained in this thread, evaluated on the workers.
        { name: 'LRP-ε 0.25·std', rule: epsilon({ timesStd: 0.25 }) },
      ],
      percents: [5, 50, 100],
      steps: 4,
      baseline: meanImage,
      batchSize: 2,
      explainBatchSize: 3,
      seed: 11,
      firstSample: 5,
    };
  });
  afterAll(() => {
    tf.dispose([images, meanImage]);
    model.dispose();
  });

  it('gives the comparison of this thread with 2 workers, in order, without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const single = await compareMethods({ ...options, workers: 1 });
    const progress: string[] = [];
    const pooled = await compareMethods({
      ...options,
      workers: 2,
      onProgress: (p) => progress.push(`${p.stage} ${p.done}/${p.total}`),
    });
    expect(tf.memory().numTensors).toBe(before);
    expectSameComparison(pooled, single);
    // Something was really compared: relevance, and curves that move.
    expect(Math.max(...Array.from(pooled.relevance[0].scores, Math.abs))).toBeGreaterThan(0);
    expect(pooled.methods[0].deletion.meanScore[0]).not.toBe(
      pooled.methods[0].deletion.meanScore[4],
    );
    // Slices of 4 and 5 images: 2 + 3 metric batches; the explain stage counts this thread's
    // ceil(9 / 3) = 3 batches (the rule object) and then the workers' 2 + 2 (the named rules).
    const explain = progress.filter((p) => p.startsWith('explain '));
    expect(explain.slice(0, 3)).toEqual(['explain 1/7', 'explain 2/7', 'explain 3/7']);
    expect(explain).toHaveLength(7);
    expect(explain).toContain('explain 7/7');
    expect(progress).toContain('R-LRP: deletion 5/5');
    expect(progress).toContain('random: insertion 5/5');
    expect(progress).toContain('LRP-ε 0.25·std: keep-top-k 5/5');
  });

  it('gives the same comparison with more workers than the test has cores (3 slices)', async () => {
    const single = await compareMethods({ ...options, workers: 1, baseline: 0.5 });
    const pooled = await compareMethods({ ...options, workers: 3, baseline: 0.5 });
    expectSameComparison(pooled, single);
  });

  it('cuts a larger set into more slices than workers, handed to whichever worker is free', async () => {
    // 100 images on 2 workers: 3 slices (at least 32 images each), so one worker takes two.
    expect(sliceCount(100, 2)).toBe(3);
    const many = tf.randomUniform([100, 10, 10, 1], 0, 1, 'float32', 8) as tf.Tensor4D;
    const labels = Array.from({ length: 100 }, (_, i) => i % 3);
    const set = {
      ...options,
      images: many,
      labels,
      baseline: 0.5,
      methods: options.methods.slice(0, 2),
    };
    try {
      const before = tf.memory().numTensors;
      const single = await compareMethods({ ...set, workers: 1 });
      const done: string[] = [];
      const compare = jest.spyOn(ExplainPool.prototype, 'compare');
      let pooled: MethodComparisonWithMaps;
      try {
        pooled = await compareMethods({
          ...set,
          workers: 2,
          onProgress: (p) => done.push(`${p.stage} ${p.done}/${p.total}`),
        });
        const [slices] = compare.mock.calls[0];
        expect(slices.map((slice) => slice.shape[0])).toEqual([33, 33, 34]);
        expect(slices.map((slice) => slice.firstSample)).toEqual([5, 38, 71]);
      } finally {
        compare.mockRestore();
      }
      expect(tf.memory().numTensors).toBe(before);
      expectSameComparison(pooled, single, 100);
      // Slices of 33, 33 and 34 images in explain batches of 3: 11 + 11 + 12, counted as one stage.
      expect(done).toContain('explain 34/34');
      expect(done.filter((p) => p.startsWith('explain '))).toHaveLength(34);
    } finally {
      many.dispose();
    }
  });

  it('slices: one per worker for a small set, up to 8 per worker of at least 32 images', () => {
    expect(sliceCount(9, 2)).toBe(2);
    expect(sliceCount(63, 2)).toBe(2);
    expect(sliceCount(96, 2)).toBe(3);
    expect(sliceCount(2048, 2)).toBe(16);
    expect(sliceCount(10000, 4)).toBe(32);
    expect(sliceCount(3, 8)).toBe(3);
  });

  it('passes a worker’s failure on as a typed error and ends the pool', async () => {
    const start = jest.spyOn(ExplainPool, 'start');
    try {
      const before = tf.memory().numTensors;
      const failing = compareMethods({
        ...options,
        methods: [{ name: 'unknown', rule: 'no-such-rule' as RuleName }],
        workers: 2,
      });
      await expect(failing).rejects.toThrow(EngineError);
      await expect(failing).rejects.toThrow(/no-such-rule/);
      const pool = await (start.mock.results[0].value as Promise<ExplainPool>);
      await expect(pool.explain(images)).rejects.toThrow(DisposedError);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      start.mockRestore();
    }
  });

  it('rejects with the abort reason and ends the pool when aborted mid-way', async () => {
    const start = jest.spyOn(ExplainPool, 'start');
    try {
      const controller = new AbortController();
      const reason = new Error('stopped by the test');
      const aborted = compareMethods({
        ...options,
        workers: 2,
        // Abort at the first report from a worker: the workers are then mid-way.
        onProgress: (p) => {
          // (this thread's explain batches are 1…3 of 7).
          if (p.stage !== 'explain' || p.done > 3) controller.abort(reason);
        },
        signal: controller.signal,
      });
      await expect(aborted).rejects.toBe(reason);
      const pool = await (start.mock.results[0].value as Promise<ExplainPool>);
      await expect(pool.explain(images)).rejects.toThrow(DisposedError);
    } finally {
      start.mockRestore();
    }
  });

  it('with the default pool, a worker’s failure is retried in this thread: the error keeps its type', async () => {
    const start = jest.spyOn(ExplainPool, 'start');
    const many = tf.tile(images, [15, 1, 1, 1]) as tf.Tensor4D; // 135 images: a default pool on 2 cores
    try {
      const before = tf.memory().numTensors;
      const failing = compareMethods({
        ...options,
        images: many,
        labels: Array.from({ length: 135 }, (_, i) => i % 3),
        methods: [{ name: 'unknown', rule: 'no-such-rule' as RuleName }],
      });
      await expect(failing).rejects.toThrow(UnknownRuleError);
      // Where the machine has more than one core a pool was started, and it was ended.
      if (os.availableParallelism() > 1) expect(start).toHaveBeenCalledTimes(1);
      for (const result of start.mock.results) {
        const pool = await (result.value as Promise<ExplainPool>);
        await expect(pool.explain(images)).rejects.toThrow(DisposedError);
      }
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      many.dispose();
      start.mockRestore();
    }
  });

  it('runs a small set in this thread by default (no pool to start)', async () => {
    const start = jest.spyOn(ExplainPool, 'start');
    try {
      await compareMethods({ ...options, methods: [{ name: 'R-LRP', rule: 'rlrp' }] });
      expect(start).not.toHaveBeenCalled();
    } finally {
      start.mockRestore();
    }
  });
});
