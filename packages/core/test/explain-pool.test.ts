import * as tf from '@tensorflow/tfjs';
import { DisposedError, EmptyBatchError, EngineError, InputTypeError } from '@rlrp/core';
import { ExplainPool, sliceBatch } from '../src/engine/explain-pool';
import { SliceQueue } from '../src/engine/slice-queue';
import { shareComparisonSet } from '../src/evaluate/comparison-set';
import { seededConvNet } from './support/seeded-conv-net';
import { inThisThread, largestDifference, largestMagnitude } from './support/this-thread-relevance';
import { mockUnreadableModelLoads } from './support/unreadable-model-loads';

/**
 * The pool of engines: every worker explains its slice of the batch on its own wasm engine, and
 * the whole equals the batch explained in this thread.
 */

describe('sliceBatch', () => {
  it('covers the batch with contiguous, even slices, never more than the samples', () => {
    expect(sliceBatch(7, 2)).toEqual([
      { start: 0, end: 3 },
      { start: 3, end: 7 },
    ]);
    expect(sliceBatch(1, 4)).toEqual([{ start: 0, end: 1 }]);
    expect(sliceBatch(9, 3).map((s) => s.end - s.start)).toEqual([3, 3, 3]);
  });
});

describe('ExplainPool', () => {
  let model: tf.LayersModel;
  let x: tf.Tensor;
  let pool: ExplainPool;

  beforeAll(async () => {
    model = seededConvNet({ inputShape: [10, 10, 1], classes: 5 });
    x = tf.randomUniform([7, 10, 10, 1], 0, 1, 'float32', 5);
    pool = await ExplainPool.start(model, { workers: 2 });
  });
  afterAll(async () => {
    await pool.close();
    x.dispose();
    model.dispose();
  });

  it('gives the batch the relevance this thread gives it, shaped like the input', async () => {
    const targets = [0, 1, 2, 3, 4, 0, 1];
    const expected = inThisThread(model, x, targets);
    const before = tf.memory().numTensors;
    const relevance = await pool.explain(x, { rule: 'EpsilonPlusFlat', target: targets });
    expect(relevance.shape).toEqual(x.shape);
    expect(largestDifference(relevance, expected)).toBeLessThan(1e-5);
    expect(largestMagnitude(expected)).toBeGreaterThan(0);
    relevance.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('with pinToCores, its one worker pinned to a core explains the same relevance', async () => {
    const pinned = await ExplainPool.start(model, { workers: 1, pinToCores: true });
    const expected = inThisThread(model, x, 2);
    const relevance = await pinned.explain(x, { rule: 'EpsilonPlusFlat', target: 2 });
    expect(largestDifference(relevance, expected)).toBeLessThan(1e-5);
    relevance.dispose();
    await pinned.close();
  });

  it('passes a worker’s failure on as a typed error, and keeps working', async () => {
    await expect(pool.explain(x, { rule: 'epsilon', target: 99 })).rejects.toThrow(EngineError);
    const again = await pool.explain(x, { rule: 'epsilon', target: 0 });
    expect(again.shape).toEqual(x.shape);
    again.dispose();
  });

  it('explains an int32 batch as its float32 values', async () => {
    const pixels = tf.tidy(() => x.mul(255).round().toInt());
    const asFloat = pixels.toFloat();
    const expected = inThisThread(model, asFloat, 1);
    const relevance = await pool.explain(pixels, { rule: 'EpsilonPlusFlat', target: 1 });
    expect(largestDifference(relevance, expected)).toBeLessThan(1e-3 * largestMagnitude(expected));
    tf.dispose([pixels, asFloat, relevance]);
  });

  it('keeps each call’s batch and relevance apart in its reused buffers: calls made at once, of growing batches, on this thread’s wasm and cpu backends', async () => {
    const batches = [3, 7, 11].map((n, i) =>
      tf.randomUniform([n, 10, 10, 1], 0, 1, 'float32', 20 + i),
    );
    const expected = batches.map((b) => inThisThread(model, b, 2));
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      try {
        // Issued together: each waits for the one before it in the pool.
        const results = await Promise.all(
          batches.map((b) => pool.explain(b, { rule: 'EpsilonPlusFlat', target: 2 })),
        );
        // Read after every call returned: a later call must not have written over an earlier one.
        results.forEach((relevance, i) => {
          expect(relevance.shape).toEqual(batches[i].shape);
          expect(largestDifference(relevance, expected[i])).toBeLessThan(1e-5);
        });
        tf.dispose(results);
      } finally {
        await tf.setBackend('wasm');
      }
    }
    tf.dispose(batches);
  });

  it('explains a batch as it was when the call was made, though disposed while waiting its turn', async () => {
    const first = tf.randomUniform([7, 10, 10, 1], 0, 1, 'float32', 40);
    const second = tf.randomUniform([5, 10, 10, 1], 0, 1, 'float32', 41);
    const expected = inThisThread(model, second, 1);
    const running = pool.explain(first, { rule: 'EpsilonPlusFlat', target: 1 });
    const waiting = pool.explain(second, { rule: 'EpsilonPlusFlat', target: 1 });
    second.dispose();
    const [done, relevance] = await Promise.all([running, waiting]);
    expect(largestDifference(relevance, expected)).toBeLessThan(1e-5);
    tf.dispose([first, done, relevance]);
  });

  it('gives the right relevance for a batch after one whose slice failed', async () => {
    // The second worker's slice (samples 3–6) fails; the first still explains and writes its own.
    await expect(
      pool.explain(x, { rule: 'EpsilonPlusFlat', target: [0, 1, 2, 99, 0, 0, 0] }),
    ).rejects.toThrow(/99|target/);
    const larger = tf.randomUniform([12, 10, 10, 1], 0, 1, 'float32', 30);
    const expected = inThisThread(model, larger, 3);
    const relevance = await pool.explain(larger, { rule: 'EpsilonPlusFlat', target: 3 });
    expect(largestDifference(relevance, expected)).toBeLessThan(1e-5);
    tf.dispose([larger, relevance]);
  });

  it('explains denormal, tiny and huge inputs as this thread does: the shared buffers carry every float32 unchanged', async () => {
    // 1e-40 is below float32's smallest normal (1.2e-38); 1e30 leaves the forward pass finite.
    for (const scale of [1e-40, 1e-30, 1e30]) {
      const scaled = tf.tidy(() => x.mul(scale));
      const expected = inThisThread(model, scaled, 2, 'rlrp');
      const relevance = await pool.explain(scaled, { rule: 'rlrp', target: 2 });
      expect(largestMagnitude(expected)).toBeGreaterThan(0);
      expect(Number.isFinite(largestMagnitude(relevance.dataSync() as Float32Array))).toBe(true);
      expect(largestDifference(relevance, expected)).toBeLessThanOrEqual(
        1e-5 * largestMagnitude(expected),
      );
      tf.dispose([scaled, relevance]);
    }
  });

  it('refuses an empty batch and a string batch with explain()’s typed errors, and keeps working', async () => {
    const empty = tf.zeros([0, 10, 10, 1]);
    await expect(pool.explain(empty)).rejects.toThrow(EmptyBatchError);
    const words = tf.tensor1d(['a', 'b']);
    await expect(pool.explain(words)).rejects.toThrow(InputTypeError);
    const again = await pool.explain(x, { rule: 'epsilon', target: 0 });
    expect(again.shape).toEqual(x.shape);
    tf.dispose([empty, words, again]);
  });

  it('rejects one target per sample of the wrong length', async () => {
    await expect(pool.explain(x, { target: [1, 2] })).rejects.toThrow(/2 targets for a batch of 7/);
  });

  it('terminate ends the workers mid-request: the request rejects with DisposedError', async () => {
    const doomed = await ExplainPool.start(model, { workers: 2 });
    const running = doomed.explain(x, { rule: 'rlrp' });
    // Let the request reach the workers before ending them.
    await new Promise((resolve) => setImmediate(resolve));
    const outcome = expect(running).rejects.toThrow(DisposedError);
    await doomed.terminate();
    await outcome;
    await expect(doomed.explain(x)).rejects.toThrow(DisposedError);
    await doomed.close(); // idempotent after terminate
  });

  /** A comparison set of the 7 images in `slices` slices, with its queue. */
  async function comparisonSet(slices: number, rule = 'rlrp') {
    const queue = SliceQueue.create(slices);
    const set = await shareComparisonSet(
      {
        model,
        images: x as tf.Tensor4D,
        labels: [0, 1, 2, 3, 4, 0, 1],
        methods: [{ name: 'R-LRP', rule: rule as 'rlrp' }],
        percents: [50],
        steps: 2,
      },
      [rule as 'rlrp'],
      sliceBatch(7, slices),
      [0, 1, 2, 3, 4, 0, 1],
      [],
      queue,
    );
    return { set, queue };
  }

  it('compare: the workers take the slices another thread leaves, each once, from one queue', async () => {
    // 7 images as 5 slices for 2 workers; this thread takes the first before the workers start.
    const { set, queue } = await comparisonSet(5);
    expect(queue.take()).toBe(0);
    const progress = new Set<number>();
    const parts = await pool.compare(set, (slice) => progress.add(slice));
    expect([...parts.keys()].sort()).toEqual([1, 2, 3, 4]);
    expect([...progress].sort()).toEqual([1, 2, 3, 4]);
    // Each slice compared alone, as one thread would: its own images, its own first sample.
    for (const [slice, part] of parts) {
      const { start, end } = set.slices[slice];
      expect(part.relevance[0].targets).toHaveLength(end - start);
      expect(part.methods[0].keepTopK.samples).toBe(end - start);
    }
    expect(queue.take()).toBeUndefined();
  });

  it('compare stops the queue on a failure, and rejects with DisposedError on close', async () => {
    const single = await ExplainPool.start(model, { workers: 1 });
    const failing = await comparisonSet(3, 'no-such-rule');
    await expect(single.compare(failing.set)).rejects.toThrow(EngineError);
    // The worker failed on the first slice and stopped the queue: nobody takes the others.
    expect(failing.queue.take()).toBeUndefined();
    // Closed while the slices run: the queue is stopped, the comparison is incomplete.
    const running = await comparisonSet(7);
    const compared = single.compare(running.set);
    const outcome = expect(compared).rejects.toThrow(DisposedError);
    await single.close();
    await outcome;
    expect(running.queue.take()).toBeUndefined();
  });

  it('a worker that dies is an EngineError, like a failed request', async () => {
    const dying = await ExplainPool.start(model, { workers: 1 });
    // Ended from outside the pool (as a crash would end it), not by terminate().
    const [{ worker }] = (
      dying as unknown as { workers: { worker: import('worker_threads').Worker }[] }
    ).workers;
    await worker.terminate();
    await expect(dying.explain(x)).rejects.toThrow(EngineError);
    await expect(dying.explain(x)).rejects.toThrow(/exited/);
    await dying.terminate();
  });

  it('load hands the workers another model: they explain it as this thread does, and a load they fail ends the pool', async () => {
    const kept = await ExplainPool.start(model, { workers: 2 });
    // Another shape of output (3 classes) and other weights: nothing of the first model may remain.
    const next = seededConvNet({ inputShape: [10, 10, 1], classes: 3, hidden: 4 });
    try {
      const expected = inThisThread(next, x, 2);
      await kept.load(next);
      // Not awaited: the request waits behind the model in each worker.
      const relevance = await kept.explain(x, { rule: 'EpsilonPlusFlat', target: 2 });
      expect(largestDifference(relevance, expected)).toBeLessThan(1e-5);
      expect(largestMagnitude(expected)).toBeGreaterThan(0);
      relevance.dispose();
      await kept.ready;
      // Target 4 exists in the first model's 5 classes, not in this one's 3.
      await expect(kept.explain(x, { rule: 'EpsilonPlusFlat', target: 4 })).rejects.toThrow(
        EngineError,
      );
      // A model its workers cannot read (as one whose layers only this thread knows): the load's
      // own error, and the pool ends.
      const unreadable = mockUnreadableModelLoads();
      try {
        await kept.load(model);
        await expect(kept.ready).rejects.toThrow(/Pool worker/);
        await expect(kept.explain(x)).rejects.toThrow(/Pool worker/);
        expect(kept.usable).toBe(false);
        await expect(kept.load(model)).rejects.toThrow(EngineError);
      } finally {
        unreadable.mockRestore();
      }
    } finally {
      await kept.close();
      next.dispose();
    }
  });

  it('rejects a bad worker count, and use after close', async () => {
    for (const workers of [0, 1.5, NaN, -1]) {
      await expect(ExplainPool.start(model, { workers })).rejects.toThrow(EngineError);
    }
    const single = await ExplainPool.start(model, { workers: 1 });
    expect(single.size).toBe(1);
    await single.close();
    await expect(single.explain(x)).rejects.toThrow(DisposedError);
  });
});
