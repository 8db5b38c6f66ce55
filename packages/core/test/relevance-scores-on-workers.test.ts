import * as tf from '@tensorflow/tfjs';
import {
  ClassIndexError,
  closeComparisonWorkers,
  compareMethods,
  DisposedError,
  EngineError,
  EvaluationOptionError,
  UnknownRuleError,
  epsilon,
  gamma,
  relevanceScores,
  relevanceScoresOnWorkers,
  type RelevanceScores,
  type RuleChoice,
  type RuleName,
} from '../src/index';
import { ExplainPool } from '../src/engine/explain-pool';
import { sharedImages } from '../src/evaluate/shared-images';
import { seededConvNet } from './support/seeded-conv-net';
import { mockUnreadableModelLoads } from './support/unreadable-model-loads';

/**
 * relevanceScoresOnWorkers: the maps of relevanceScores in this thread, on this thread and a
 * worker taking slices from one queue; rules sent by name, as recipes, or explained here; checked
 * options, failures, aborts and no tensors left.
 */

const SAMPLES = 11;

function expectSameMaps(pooled: RelevanceScores[], single: RelevanceScores[]): void {
  expect(pooled).toHaveLength(single.length);
  pooled.forEach((maps, r) => {
    expect(maps.targets).toEqual(single[r].targets);
    expect(maps.nonFinite).toBe(single[r].nonFinite);
    // Bit for bit: every image is explained by one thread on the same engine either way.
    expect(Array.from(maps.scores)).toEqual(Array.from(single[r].scores));
  });
}

describe('relevanceScoresOnWorkers', () => {
  let model: tf.LayersModel;
  let images: tf.Tensor4D;
  const rules: RuleChoice[] = [
    'rlrp',
    'EpsilonPlusFlat',
    // A factory's rule goes to the worker as its recipe; a copy has none and is explained here.
    gamma(0.5),
    { ...epsilon({ timesStd: 0.25 }) },
  ];

  beforeAll(() => {
    model = seededConvNet({ inputShape: [10, 10, 1], classes: 3 });
    // Both signs, so that every rule's map differs from the others'.
    images = tf.randomUniform([SAMPLES, 10, 10, 1], -1, 1, 'float32', 5) as tf.Tensor4D;
  });
  afterAll(() => {
    images.dispose();
    model.dispose();
  });
  afterEach(() => closeComparisonWorkers());

  it('gives the maps of this thread on 2 threads, in order, with progress and no tensors left', async () => {
    const target = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1];
    const single = relevanceScores(model, images, { rules, target, batchSize: 2 });
    const before = tf.memory().numTensors;
    const progress: string[] = [];
    const pooled = await relevanceScoresOnWorkers(model, images, {
      rules,
      target,
      batchSize: 2,
      workers: 2,
      onProgress: (p) => progress.push(`${p.stage} ${p.done}/${p.total}`),
    });
    expect(tf.memory().numTensors).toBe(before);
    expectSameMaps(pooled, single);
    expect(pooled[0].targets).toEqual(target);
    // Something was explained, and each rule gave its own maps.
    expect(Math.max(...Array.from(pooled[0].scores, Math.abs))).toBeGreaterThan(0);
    expect(Array.from(pooled[1].scores)).not.toEqual(Array.from(pooled[0].scores));
    // 6 slices of one batch (5 of 2 images, 1 of 1); this thread's copy of the ε rule first, over
    // the whole set: 6 batches of 2.
    expect(progress.slice(0, 6)).toEqual([1, 2, 3, 4, 5, 6].map((d) => `explain ${d}/12`));
    expect(progress).toHaveLength(12);
    expect(progress[progress.length - 1]).toBe('explain 12/12');
  });

  it('explains the predicted class by default, and one class given for every image', async () => {
    const predicted = await relevanceScoresOnWorkers(model, images, {
      rules: ['rlrp'],
      batchSize: 4,
      workers: 2,
    });
    expectSameMaps(predicted, relevanceScores(model, images, { rules: ['rlrp'], batchSize: 4 }));
    const classTwo = await relevanceScoresOnWorkers(model, images, {
      rules: ['epsilon'],
      target: 2,
      batchSize: 4,
      workers: 2,
    });
    expect(classTwo[0].targets).toEqual(new Array(SAMPLES).fill(2));
    expectSameMaps(
      classTwo,
      relevanceScores(model, images, {
        rules: ['epsilon'],
        target: new Array(SAMPLES).fill(2),
        batchSize: 4,
      }),
    );
  });

  it('with another backend here, the workers explain every slice (this thread does not join)', async () => {
    const single = relevanceScores(model, images, { rules: rules.slice(0, 3), batchSize: 4 });
    const launch = jest.spyOn(ExplainPool, 'launch');
    const scores = jest.spyOn(ExplainPool.prototype, 'scores');
    await tf.setBackend('cpu');
    try {
      const pooled = await relevanceScoresOnWorkers(model, images, {
        rules: rules.slice(0, 3),
        batchSize: 4,
        workers: 2,
      });
      expect(launch.mock.calls[0][1]).toEqual({ workers: 2 });
      // The 3 slices came back from the workers: the maps of this thread on wasm.
      const taken = await (scores.mock.results[0].value as Promise<Map<number, unknown>>);
      expect([...taken.keys()].sort()).toEqual([0, 1, 2]);
      expectSameMaps(pooled, single);
    } finally {
      await tf.setBackend('wasm');
      launch.mockRestore();
      scores.mockRestore();
    }
  });

  it('explains rule objects that cannot be sent in this thread, starting no worker for them', async () => {
    const start = jest.spyOn(ExplainPool, 'launch');
    try {
      const copied = [{ ...epsilon() }, { ...gamma(0.5) }];
      const here = await relevanceScoresOnWorkers(model, images, {
        rules: copied,
        batchSize: 4,
        workers: 2,
      });
      expectSameMaps(here, relevanceScores(model, images, { rules: copied, batchSize: 4 }));
      expect(start).not.toHaveBeenCalled();
    } finally {
      start.mockRestore();
    }
  });

  it('checks its options before any pool starts', async () => {
    const start = jest.spyOn(ExplainPool, 'launch');
    try {
      const ask = (options: Partial<Parameters<typeof relevanceScoresOnWorkers>[2]>) =>
        relevanceScoresOnWorkers(model, images, { rules: ['rlrp'], workers: 2, ...options });
      await expect(ask({ rules: ['no-such-rule' as RuleName] })).rejects.toThrow(UnknownRuleError);
      await expect(ask({ target: 3 })).rejects.toThrow(ClassIndexError);
      await expect(ask({ target: [0, 1] })).rejects.toThrow(EvaluationOptionError);
      await expect(ask({ batchSize: 0 })).rejects.toThrow(EvaluationOptionError);
      await expect(ask({ workers: 1.5 })).rejects.toThrow(EvaluationOptionError);
      await expect(ask({ target: NaN })).rejects.toThrow(ClassIndexError);
      await expect(ask({ target: -0.5 })).rejects.toThrow(ClassIndexError);
      // Names from a message or a notebook that name Object's own properties are no rules.
      for (const name of ['__proto__', 'constructor', 'toString']) {
        await expect(ask({ rules: [name as RuleName] })).rejects.toThrow(UnknownRuleError);
      }
      const empty = tf.zeros([0, 10, 10, 1]) as tf.Tensor4D;
      await expect(
        relevanceScoresOnWorkers(model, empty, { rules: ['rlrp'], workers: 2 }),
      ).rejects.toThrow(EvaluationOptionError);
      empty.dispose();
      expect(start).not.toHaveBeenCalled();
    } finally {
      start.mockRestore();
    }
  });

  it('gives this thread’s maps for images at float32’s extremes, and names a non-finite one', async () => {
    // Denormals, the least normal, the largest finite and −0 among ordinary pixels.
    const extremes = [1e-45, -1e-45, 1.17549435e-38, 3.4028235e38, -3.4028235e38, -0];
    const values = images.dataSync().slice();
    extremes.forEach((v, i) => (values[i * 37] = v));
    const edgy = tf.tensor4d(values, images.shape);
    try {
      const options = { rules: ['rlrp', 'EpsilonPlusFlat'] as RuleChoice[], batchSize: 4 };
      expectSameMaps(
        await relevanceScoresOnWorkers(model, edgy, { ...options, workers: 2 }),
        relevanceScores(model, edgy, options),
      );
      values[5] = Infinity;
      const bad = tf.tensor4d(values, images.shape);
      try {
        // Found by whichever thread takes its batch: its own type here, an EngineError with the
        // message from a worker; either way it says what was wrong and how to fix it.
        await expect(
          relevanceScoresOnWorkers(model, bad, { ...options, workers: 2 }),
        ).rejects.toThrow(/NaN or infinite value/);
      } finally {
        bad.dispose();
      }
    } finally {
      edgy.dispose();
    }
  });

  it('a set too large for a shared copy is an EngineError that says what to do', async () => {
    // A tensor's size as a set of 2⁵⁰ values would give: no SharedArrayBuffer of 4 PiB.
    const huge = { size: 2 ** 50, shape: [2 ** 30, 32, 32, 1] } as unknown as tf.Tensor4D;
    const copy = sharedImages(huge);
    await expect(copy).rejects.toThrow(EngineError);
    await expect(copy).rejects.toThrow(/workers: 1/);
  });

  it('runs in this thread for one thread, one batch, or no rule', async () => {
    const start = jest.spyOn(ExplainPool, 'launch');
    try {
      const single = relevanceScores(model, images, { rules: ['rlrp'] });
      expectSameMaps(await relevanceScoresOnWorkers(model, images, { rules: ['rlrp'] }), single);
      expectSameMaps(
        await relevanceScoresOnWorkers(model, images, { rules: ['rlrp'], workers: 1 }),
        single,
      );
      const two = tf.tidy(() => images.slice(0, 2));
      const ofTwo = await relevanceScoresOnWorkers(model, two, { rules: ['rlrp'], workers: 2 });
      expectSameMaps(ofTwo, relevanceScores(model, two, { rules: ['rlrp'] }));
      two.dispose();
      expect(await relevanceScoresOnWorkers(model, images, { rules: [], workers: 2 })).toEqual([]);
      expect(start).not.toHaveBeenCalled();
    } finally {
      start.mockRestore();
    }
  });

  it('serves a second request, and a comparison on the same model, from one kept pool', async () => {
    const start = jest.spyOn(ExplainPool, 'launch');
    try {
      await relevanceScoresOnWorkers(model, images, { rules: ['rlrp'], batchSize: 4, workers: 2 });
      const again = await relevanceScoresOnWorkers(model, images, {
        rules: ['zplus'],
        batchSize: 4,
        workers: 2,
      });
      expectSameMaps(again, relevanceScores(model, images, { rules: ['zplus'], batchSize: 4 }));
      const labels = Array.from({ length: SAMPLES }, (_, i) => i % 3);
      const compared = await compareMethods({
        model,
        images,
        labels,
        methods: [{ name: 'R-LRP', rule: 'rlrp' }],
        steps: 2,
        batchSize: 4,
        explainBatchSize: 4,
        workers: 2,
      });
      expect(compared.relevance[0].targets).toHaveLength(SAMPLES);
      expect(start).toHaveBeenCalledTimes(1);
    } finally {
      start.mockRestore();
    }
  });

  it('a worker that cannot load the model: an EngineError when asked for, this thread’s maps by default', async () => {
    const unreadable = mockUnreadableModelLoads();
    try {
      const before = tf.memory().numTensors;
      const asked = relevanceScoresOnWorkers(model, images, {
        rules: ['rlrp'],
        batchSize: 4,
        workers: 2,
      });
      await expect(asked).rejects.toThrow(EngineError);
      await expect(asked).rejects.toThrow(/Pool worker/);
      expect(tf.memory().numTensors).toBe(before);
      // 128 images: the default pool on 2 cores; its failure is retried here.
      const many = tf.tile(images, [12, 1, 1, 1]).slice(0, 128) as tf.Tensor4D;
      try {
        const retried = await relevanceScoresOnWorkers(model, many, { rules: ['rlrp'] });
        expectSameMaps(retried, relevanceScores(model, many, { rules: ['rlrp'] }));
      } finally {
        many.dispose();
      }
    } finally {
      unreadable.mockRestore();
    }
  });

  it('a rule that throws here keeps its type and leaves the pool warm', async () => {
    const start = jest.spyOn(ExplainPool, 'launch');
    try {
      const broken = {
        ...epsilon(),
        linear: () => {
          throw new RangeError('this rule cannot cross a layer');
        },
      };
      const failing = relevanceScoresOnWorkers(model, images, {
        rules: ['rlrp', broken],
        batchSize: 4,
        workers: 2,
      });
      await expect(failing).rejects.toThrow(RangeError);
      const pool = await (start.mock.results[0].value as Promise<ExplainPool>);
      expect(pool.usable).toBe(true);
    } finally {
      start.mockRestore();
    }
  });

  it('rejects with the abort reason and ends the pool when aborted mid-way', async () => {
    const start = jest.spyOn(ExplainPool, 'launch');
    try {
      const controller = new AbortController();
      const reason = new Error('stopped by the test');
      const aborted = relevanceScoresOnWorkers(model, images, {
        rules: ['rlrp'],
        batchSize: 1,
        workers: 2,
        onProgress: () => controller.abort(reason),
        signal: controller.signal,
      });
      await expect(aborted).rejects.toBe(reason);
      const pool = await (start.mock.results[0].value as Promise<ExplainPool>);
      await expect(pool.explain(images)).rejects.toThrow(DisposedError);
      // Aborted before: nothing starts.
      await expect(
        relevanceScoresOnWorkers(model, images, { rules: ['rlrp'], signal: controller.signal }),
      ).rejects.toBe(reason);
      expect(start).toHaveBeenCalledTimes(1);
    } finally {
      start.mockRestore();
    }
  });
});
