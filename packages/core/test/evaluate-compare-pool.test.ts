import * as os from 'os';
import { Worker } from 'worker_threads';
import * as tf from '@tensorflow/tfjs';
import {
  closeComparisonWorkers,
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
import { initEngine } from '../src/engine/init-engine';
import { comparisonSlices } from '../src/evaluate/compare-on-pool';
import { seededConvNet } from './support/seeded-conv-net';
import { mockUnreadableModelLoads } from './support/unreadable-model-loads';

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

/**
 * With every pool's worker failing (the caller's mock): `workers: 2` rejects with the worker's
 * EngineError, saying `why`, leaving no tensor; the default pool's failure on 135 images is retried
 * in this thread and gives this thread's comparison.
 */
async function expectWorkerFailureRetriedHere(
  named: CompareMethodsOptions,
  why: RegExp,
): Promise<void> {
  const before = tf.memory().numTensors;
  const asked = compareMethods({ ...named, workers: 2 });
  await expect(asked).rejects.toThrow(EngineError);
  await expect(asked).rejects.toThrow(why);
  expect(tf.memory().numTensors).toBe(before);
  const many = tf.tile(named.images, [15, 1, 1, 1]) as tf.Tensor4D; // a default pool on 2 cores
  try {
    const labels = Array.from({ length: 135 }, (_, i) => i % 3);
    const set = { ...named, images: many, labels };
    const retried = await compareMethods(set);
    expectSameComparison(retried, await compareMethods({ ...set, workers: 1 }), 135);
  } finally {
    many.dispose();
  }
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
        // A factory's rule goes to the workers as its recipe; a copy of it has none, so it is
        // explained in this thread (its functions cannot be sent) and evaluated on the workers.
        { name: 'LRP-ε 0.25·std', rule: epsilon({ timesStd: 0.25 }) },
        { name: 'LRP-ε 0.25·std, copied', rule: { ...epsilon({ timesStd: 0.25 }) } },
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
  // Each test starts its own pools: none kept from the test before.
  afterEach(() => closeComparisonWorkers());

  it('gives the comparison of this thread on 2 threads, in order, without leaking tensors', async () => {
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
    // Slices of 6 and 3 images (whole batches of both sizes): 3 + 2 metric batches; the explain
    // stage counts this thread's ceil(9 / 3) = 3 batches (the copied rule object, whole set) and
    // then the slices' 2 + 1 (the named rules and the factory's, on this thread or the worker).
    const explain = progress.filter((p) => p.startsWith('explain '));
    expect(explain.slice(0, 3)).toEqual(['explain 1/6', 'explain 2/6', 'explain 3/6']);
    expect(explain).toHaveLength(6);
    expect(explain).toContain('explain 6/6');
    expect(progress).toContain('R-LRP: deletion 5/5');
    expect(progress).toContain('random: insertion 5/5');
    expect(progress).toContain('LRP-ε 0.25·std: keep-top-k 5/5');
    expect(progress).toContain('LRP-ε 0.25·std, copied: keep-top-k 5/5');
  });

  it('keeps the pool for the next comparison, its workers loading the weights set since', async () => {
    const launch = jest.spyOn(ExplainPool, 'launch');
    const named = { ...options, baseline: 0.5, methods: options.methods.slice(0, 2) };
    try {
      const single = await compareMethods({ ...named, workers: 1 });
      const first = await compareMethods({ ...named, workers: 2 });
      const again = await compareMethods({ ...named, workers: 2 });
      expect(launch).toHaveBeenCalledTimes(1);
      expectSameComparison(first, single);
      expectSameComparison(again, single);
      // Trained since: the kept workers load the new weights in place of the old.
      const dense = model.layers[model.layers.length - 1];
      // getWeights gives the variables themselves: a copy, to put back after.
      const weights = dense.getWeights().map((w) => w.clone());
      const shifted = weights.map((w) => w.add(0.1));
      try {
        dense.setWeights(shifted);
        const retrainedSingle = await compareMethods({ ...named, workers: 1 });
        const retrained = await compareMethods({ ...named, workers: 2 });
        expect(launch).toHaveBeenCalledTimes(1);
        expectSameComparison(retrained, retrainedSingle);
        expect(retrained.relevance[0].scores).not.toEqual(first.relevance[0].scores);
      } finally {
        dense.setWeights(weights);
        tf.dispose([...weights, ...shifted]);
      }
    } finally {
      launch.mockRestore();
    }
  });

  it('lends the kept pool to a comparison on another model: its workers load that model', async () => {
    const launch = jest.spyOn(ExplainPool, 'launch');
    // Another model (6 filters, 2 classes): the workers must hold nothing of the first. (No hidden
    // dense layer: its matrix product sums in another order for a batch of one, and the slices
    // batch the images otherwise than this thread does, so its maps would differ in last bits.)
    const next = seededConvNet({ inputShape: [10, 10, 1], classes: 2, filters: 6 });
    const named = { ...options, baseline: 0.5, methods: options.methods.slice(0, 2) };
    const onNext = { ...named, model: next, labels: [0, 1, 1, 0, 1, 0, 0, 1, 1] };
    try {
      await compareMethods({ ...named, workers: 2 });
      const pooled = await compareMethods({ ...onNext, workers: 2 });
      expect(launch).toHaveBeenCalledTimes(1);
      expectSameComparison(pooled, await compareMethods({ ...onNext, workers: 1 }));
    } finally {
      launch.mockRestore();
      next.dispose();
    }
  });

  it('gives the same comparison with more workers than the test has cores (3 slices)', async () => {
    // Metric batches of 1 and explanation batches of 3: slices of 3.
    const three = { ...options, baseline: 0.5, batchSize: 1 };
    const single = await compareMethods({ ...three, workers: 1 });
    const pooled = await compareMethods({ ...three, workers: 3 });
    expectSameComparison(pooled, single);
  });

  it('cuts a larger set into slices that this thread and the worker take from one queue', async () => {
    const many = tf.randomUniform([200, 10, 10, 1], 0, 1, 'float32', 8) as tf.Tensor4D;
    const labels = Array.from({ length: 200 }, (_, i) => i % 3);
    const set = {
      ...options,
      images: many,
      labels,
      baseline: 0.5,
      methods: options.methods.slice(0, 2),
    };
    const launch = jest.spyOn(ExplainPool, 'launch');
    const compare = jest.spyOn(ExplainPool.prototype, 'compare');
    try {
      const before = tf.memory().numTensors;
      const single = await compareMethods({ ...set, workers: 1 });
      const done: string[] = [];
      const pooled = await compareMethods({
        ...set,
        workers: 2,
        onProgress: (p) => done.push(`${p.stage} ${p.done}/${p.total}`),
      });
      // This thread runs the workers' engine (single-threaded wasm): it is one of the 2 threads.
      expect(launch.mock.calls[0][1]).toEqual({ workers: 1 });
      const [shared] = compare.mock.calls[0];
      // Whole batches of 3 (explanation) and 2 (metrics): multiples of 6 images.
      expect(shared.slices.map((slice) => slice.end - slice.start)).toEqual([66, 66, 68]);
      expect(shared.firstSample).toBe(5);
      // The images go to the worker once, in shared memory, not as a copy per slice.
      expect(shared.images).toBeInstanceOf(SharedArrayBuffer);
      expect(shared.images.byteLength).toBe(200 * 100 * 4);
      expect(tf.memory().numTensors).toBe(before);
      expectSameComparison(pooled, single, 200);
      // Slices of 66, 66 and 68 images in explain batches of 3: 22 + 22 + 23, counted as one stage.
      expect(done).toContain('explain 67/67');
      expect(done.filter((p) => p.startsWith('explain '))).toHaveLength(67);
    } finally {
      launch.mockRestore();
      compare.mockRestore();
      many.dispose();
    }
  });

  it('slices: whole batches of one thread, about 64 images each, at least one per thread', () => {
    const sizes = (samples: number, threads: number, explainBatch = 32, metricBatch = 64) =>
      comparisonSlices(samples, threads, explainBatch, metricBatch).map((s) => s.end - s.start);
    // The tests' set: explanation batches of 3 and metric batches of 2 end together every 6.
    expect(sizes(9, 2, 3, 2)).toEqual([6, 3]);
    expect(sizes(100, 2)).toEqual([64, 36]);
    expect(sizes(200, 2)).toEqual([64, 64, 72]);
    expect(sizes(2048, 2)).toEqual(Array.from({ length: 32 }, () => 64));
    expect(sizes(3, 8, 1, 1)).toEqual([1, 1, 1]);
    // Fewer whole batches of both sizes than threads: fewer slices, down to one.
    expect(sizes(63, 2)).toEqual([63]);
    expect(sizes(100, 2, 32, 100)).toEqual([100]);
    expect(sizes(9, 3, 3, 2)).toEqual([6, 3]);
    const large = comparisonSlices(10000, 4, 32, 64);
    expect(large).toHaveLength(156);
    expect(large[0].start).toBe(0);
    expect(large[155].end).toBe(10000);
    large.slice(1).forEach((slice, i) => {
      expect(slice.start).toBe(large[i].end);
      expect(slice.start % 64).toBe(0);
    });
    for (const [explainBatch, metricBatch] of [
      [32, 64],
      [3, 2],
      [5, 7],
      [64, 64],
    ]) {
      for (const samples of [70, 500, 999]) {
        for (const { start } of comparisonSlices(samples, 2, explainBatch, metricBatch)) {
          expect(start % explainBatch).toBe(0);
          expect(start % metricBatch).toBe(0);
        }
      }
    }
  });

  it('with another backend here, the workers take every slice (this thread does not join)', async () => {
    const named = { ...options, baseline: 0.5, methods: options.methods.slice(0, 2) };
    const single = await compareMethods({ ...named, workers: 1 });
    const launch = jest.spyOn(ExplainPool, 'launch');
    await tf.setBackend('cpu');
    try {
      const pooled = await compareMethods({ ...named, workers: 2 });
      expect(launch.mock.calls[0][1]).toEqual({ workers: 2 });
      // Every image was compared on a worker's wasm engine: the comparison of this thread on wasm.
      expectSameComparison(pooled, single);
    } finally {
      await tf.setBackend('wasm');
      launch.mockRestore();
    }
  });

  it('the workers run this thread’s kernels: wasm’s own when this thread turned the native ones off', async () => {
    const named = { ...options, baseline: 0.5, methods: options.methods.slice(0, 2) };
    const post = jest.spyOn(Worker.prototype, 'postMessage');
    await initEngine({ engine: 'wasm', nativeKernels: false });
    try {
      const single = await compareMethods({ ...named, workers: 1 });
      const pooled = await compareMethods({ ...named, workers: 2 });
      const loads = post.mock.calls
        .map(([message]) => message as { kind: string; nativeKernels?: boolean })
        .filter((message) => message.kind === 'load');
      expect(loads.map((load) => load.nativeKernels)).toEqual([false]);
      expectSameComparison(pooled, single);
    } finally {
      post.mockRestore();
      await initEngine({ engine: 'wasm' });
    }
  });

  it('a worker that dies is an EngineError that ends the pool; the default pool then runs here', async () => {
    const launch = ExplainPool.launch.bind(ExplainPool);
    // Every pool's worker dies as a crash would end it (from outside the pool), right after launch.
    const dying = jest.spyOn(ExplainPool, 'launch').mockImplementation(async (...args) => {
      const pool = await launch(...args);
      const [{ worker }] = (pool as unknown as { workers: { worker: Worker }[] }).workers;
      await worker.terminate();
      return pool;
    });
    const named = { ...options, baseline: 0.5, methods: options.methods.slice(0, 1) };
    try {
      await expectWorkerFailureRetriedHere(named, /exited/);
      // Both pools were started, and each says why it ended.
      if (os.availableParallelism() > 1) expect(dying).toHaveBeenCalledTimes(2);
      for (const result of dying.mock.results) {
        const pool = await (result.value as Promise<ExplainPool>);
        await expect(pool.explain(images)).rejects.toThrow(/exited/);
      }
    } finally {
      dying.mockRestore();
    }
  });

  it('a live worker that cannot load the model fails with its own EngineError, not as terminated', async () => {
    const unreadable = mockUnreadableModelLoads();
    try {
      const named = { ...options, baseline: 0.5, methods: options.methods.slice(0, 1) };
      await expectWorkerFailureRetriedHere(named, /Pool worker/);
    } finally {
      unreadable.mockRestore();
    }
  });

  it('refuses an unknown rule name before any pool starts, whichever thread would meet it', async () => {
    const start = jest.spyOn(ExplainPool, 'launch');
    try {
      const failing = compareMethods({
        ...options,
        methods: [{ name: 'unknown', rule: 'no-such-rule' as RuleName }],
        workers: 2,
      });
      await expect(failing).rejects.toThrow(UnknownRuleError);
      await expect(failing).rejects.toThrow(/no-such-rule/);
      expect(start).not.toHaveBeenCalled();
    } finally {
      start.mockRestore();
    }
  });

  it('passes a failure on with its own type; a pool not yet sent work stays for the next comparison', async () => {
    const start = jest.spyOn(ExplainPool, 'launch');
    try {
      const before = tf.memory().numTensors;
      // A rule object is explained in this thread while the worker boots: its error is its own.
      const broken = {
        ...epsilon(),
        linear: () => {
          throw new RangeError('this rule cannot cross a layer');
        },
      };
      const failing = compareMethods({
        ...options,
        methods: [{ name: 'broken', rule: broken }],
        workers: 2,
      });
      await expect(failing).rejects.toThrow(RangeError);
      expect(tf.memory().numTensors).toBe(before);
      // The rule failed here before the workers were sent anything: they stay up, warm.
      const pool = await (start.mock.results[0].value as Promise<ExplainPool>);
      expect(pool.usable).toBe(true);
      const named = { ...options, baseline: 0.5, methods: options.methods.slice(0, 1) };
      expectSameComparison(
        await compareMethods({ ...named, workers: 2 }),
        await compareMethods({ ...named, workers: 1 }),
      );
      expect(start).toHaveBeenCalledTimes(1);
    } finally {
      start.mockRestore();
    }
  });

  it('compares a set of one slice in this thread even with workers asked for', async () => {
    const start = jest.spyOn(ExplainPool, 'launch');
    try {
      const one = tf.tidy(() => images.slice(0, 1));
      const result = await compareMethods({
        ...options,
        images: one,
        labels: [0],
        baseline: 0.5,
        methods: [{ name: 'R-LRP', rule: 'rlrp' }],
        workers: 2,
      });
      expect(start).not.toHaveBeenCalled();
      expect(result.methods).toHaveLength(1);
      one.dispose();
    } finally {
      start.mockRestore();
    }
  });

  it('rejects with the abort reason and ends the pool when aborted mid-way', async () => {
    const start = jest.spyOn(ExplainPool, 'launch');
    try {
      const controller = new AbortController();
      const reason = new Error('stopped by the test');
      const aborted = compareMethods({
        ...options,
        workers: 2,
        // Abort at the first report of a slice (this thread's or the worker's): mid-way.
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

  it('with the default pool, a failure keeps its type (not retried here)', async () => {
    const start = jest.spyOn(ExplainPool, 'launch');
    const many = tf.tile(images, [15, 1, 1, 1]) as tf.Tensor4D; // 135 images: a default pool on 2 cores
    try {
      const before = tf.memory().numTensors;
      const failing = compareMethods({
        ...options,
        images: many,
        labels: Array.from({ length: 135 }, (_, i) => i % 3),
        methods: [
          {
            name: 'broken',
            rule: {
              ...epsilon(),
              linear: () => {
                throw new RangeError('this rule cannot cross a layer');
              },
            },
          },
        ],
      });
      // Not taken for a pool failure to retry in this thread: the rule's own error.
      await expect(failing).rejects.toThrow(RangeError);
      // Where the machine has more than one core a pool was started; the rule failed here
      // before it was sent anything, so it stays up for the next comparison.
      if (os.availableParallelism() > 1) expect(start).toHaveBeenCalledTimes(1);
      for (const result of start.mock.results) {
        expect((await (result.value as Promise<ExplainPool>)).usable).toBe(true);
      }
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      many.dispose();
      start.mockRestore();
    }
  });

  it('runs a small set in this thread by default (no pool to start)', async () => {
    const start = jest.spyOn(ExplainPool, 'launch');
    try {
      await compareMethods({ ...options, methods: [{ name: 'R-LRP', rule: 'rlrp' }] });
      expect(start).not.toHaveBeenCalled();
    } finally {
      start.mockRestore();
    }
  });
});
