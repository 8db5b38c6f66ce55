import * as tf from '@tensorflow/tfjs';
import { Worker } from 'worker_threads';
import { DisposedError } from '@rlrp/core';
import { ExplainPool } from '../src/engine/explain-pool';
import { initEngine } from '../src/engine/init-engine';
import { ReusablePools } from '../src/engine/reusable-pools';
import { seededConvNet } from './support/seeded-conv-net';
import { inThisThread, largestDifference, largestMagnitude } from './support/this-thread-relevance';

/**
 * Pools kept between comparisons: a kept pool is lent again as it is for the same model, weights,
 * worker count and kernels, and with the model requested loaded into its workers for another model
 * or other weights (the same worker count and kernels); it closes after its idle time, on
 * `closeIdle`, and at once when discarded.
 */

/** Waits until `pool` is closed (its requests reject with DisposedError), at most `ms`. */
async function closedWithin(pool: ExplainPool, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (pool.usable && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  return !pool.usable;
}

/** Ends `pool`'s first worker from outside, as a crash would, and waits for it to be gone. */
async function killFirstWorker(pool: ExplainPool): Promise<void> {
  const [{ worker }] = (pool as unknown as { workers: { worker: Worker }[] }).workers;
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  await worker.terminate();
  await exited;
}

/** `pool`'s relevance of a seeded batch equals this thread's for `model` (to 1e-5 of the largest). */
async function expectExplainsAsThisThread(pool: ExplainPool, model: tf.LayersModel): Promise<void> {
  const batch = tf.randomUniform([3, 6, 6, 1], 0, 1, 'float32', 11);
  const expected = inThisThread(model, batch, 1);
  const relevance = await pool.explain(batch, { rule: 'EpsilonPlusFlat', target: 1 });
  expect(largestMagnitude(expected)).toBeGreaterThan(0);
  expect(largestDifference(relevance, expected)).toBeLessThanOrEqual(
    1e-5 * largestMagnitude(expected),
  );
  tf.dispose([batch, relevance]);
}

describe('ReusablePools', () => {
  let model: tf.LayersModel;
  /** A second model: pools are kept per model. */
  let other: tf.LayersModel;
  let x: tf.Tensor;
  let pools: ReusablePools;
  let launch: jest.SpyInstance;

  beforeAll(() => {
    model = seededConvNet({ inputShape: [6, 6, 1], classes: 3 });
    other = seededConvNet({ inputShape: [6, 6, 1], classes: 2 });
    x = tf.randomUniform([2, 6, 6, 1], 0, 1, 'float32', 3);
  });
  afterAll(() => {
    x.dispose();
    model.dispose();
    other.dispose();
  });
  beforeEach(() => {
    pools = new ReusablePools(60_000);
    launch = jest.spyOn(ExplainPool, 'launch');
  });
  afterEach(async () => {
    launch.mockRestore();
    await pools.closeIdle();
  });

  it('lends the kept pool again for the same model, weights and worker count', async () => {
    const first = await pools.acquire(model, 1);
    first.release();
    const second = await pools.acquire(model, 1);
    expect(second.pool).toBe(first.pool);
    expect(launch).toHaveBeenCalledTimes(1);
    // Still a working pool: its worker explains.
    const relevance = await second.pool.explain(x, { rule: 'rlrp' });
    expect(relevance.shape).toEqual(x.shape);
    relevance.dispose();
    second.release();
    expect(pools.size).toBe(1);
  });

  it('loads the weights set since into the kept pool’s workers', async () => {
    const first = await pools.acquire(model, 1);
    first.release();
    const dense = model.layers[model.layers.length - 1];
    // getWeights gives the variables themselves: a copy, to put back after.
    const weights = dense.getWeights().map((w) => w.clone());
    const scaled = weights.map((w) => w.mul(2));
    try {
      dense.setWeights(scaled);
      const second = await pools.acquire(model, 1);
      expect(second.pool).toBe(first.pool);
      expect(launch).toHaveBeenCalledTimes(1);
      await expectExplainsAsThisThread(second.pool, model);
      second.release();
      expect(pools.size).toBe(1);
    } finally {
      dense.setWeights(weights);
      tf.dispose([...weights, ...scaled]);
    }
  });

  it('starts a new pool for another worker count, or another choice of kernels', async () => {
    const one = await pools.acquire(model, 1);
    one.release();
    const two = await pools.acquire(model, 2);
    expect(two.pool).not.toBe(one.pool);
    expect(two.pool.size).toBe(2);
    two.release();
    const post = jest.spyOn(Worker.prototype, 'postMessage');
    await initEngine({ engine: 'wasm', nativeKernels: false });
    try {
      const wasmOwn = await pools.acquire(model, 2);
      expect(wasmOwn.pool).not.toBe(two.pool);
      await wasmOwn.pool.ready;
      const loads = post.mock.calls
        .map(([message]) => message as { kind: string; nativeKernels?: boolean })
        .filter((message) => message.kind === 'load');
      expect(loads.map((load) => load.nativeKernels)).toEqual([false, false]);
      wasmOwn.release();
    } finally {
      post.mockRestore();
      await initEngine({ engine: 'wasm' });
    }
  });

  it('gives a second request while the first holds the pool a pool of its own, ended after', async () => {
    const first = await pools.acquire(model, 1);
    const second = await pools.acquire(model, 1);
    expect(second.pool).not.toBe(first.pool);
    second.release();
    expect(await closedWithin(second.pool, 5000)).toBe(true);
    first.release();
    const third = await pools.acquire(model, 1);
    expect(third.pool).toBe(first.pool);
    third.release();
  });

  it('closes a pool left idle for its idle time', async () => {
    const quick = new ReusablePools(50);
    const lent = await quick.acquire(model, 1);
    await lent.pool.ready;
    lent.release();
    expect(await closedWithin(lent.pool, 5000)).toBe(true);
    expect(quick.size).toBe(0);
    await expect(lent.pool.explain(x)).rejects.toThrow(DisposedError);
  });

  it('keeps a pool lent again before its idle time up for another idle time', async () => {
    const quick = new ReusablePools(2000);
    try {
      const first = await quick.acquire(model, 1);
      first.release();
      await new Promise((r) => setTimeout(r, 1200));
      const again = await quick.acquire(model, 1);
      expect(again.pool).toBe(first.pool);
      // Past the first idle time: lent meanwhile, it was not closed under the comparison.
      await new Promise((r) => setTimeout(r, 1200));
      expect(again.pool.usable).toBe(true);
      again.release();
    } finally {
      await quick.closeIdle();
    }
  });

  it('lends another model’s idle pool, its workers loading this model, and keeps one model’s pool idle at a time', async () => {
    const first = await pools.acquire(model, 1);
    first.release();
    const second = await pools.acquire(other, 1);
    expect(second.pool).toBe(first.pool);
    expect(launch).toHaveBeenCalledTimes(1);
    expect(pools.size).toBe(1);
    await expectExplainsAsThisThread(second.pool, other);
    second.release();
    // Given back while another model's pool was idle: that one is closed then.
    const third = await pools.acquire(model, 1);
    const fourth = await pools.acquire(other, 1);
    fourth.release();
    third.release();
    expect(fourth.pool.usable).toBe(false);
    expect(third.pool.usable).toBe(true);
    expect(pools.size).toBe(1);
  });

  it('does not keep a pool that was starting when closeIdle was called', async () => {
    const starting = pools.acquire(model, 1);
    await pools.closeIdle();
    const lent = await starting;
    expect(pools.size).toBe(0);
    lent.release();
    expect(await closedWithin(lent.pool, 5000)).toBe(true);
  });

  it('does not keep a pool that was being handed another model when closeIdle was called', async () => {
    const first = await pools.acquire(model, 1);
    first.release();
    const reloading = pools.acquire(other, 1);
    await pools.closeIdle();
    const lent = await reloading;
    expect(lent.pool).toBe(first.pool);
    expect(pools.size).toBe(0);
    lent.release();
    expect(await closedWithin(lent.pool, 5000)).toBe(true);
  });

  it('closes an idle pool whose workers could not be handed the model, and rejects with why', async () => {
    const first = await pools.acquire(model, 1);
    first.release();
    // A model that cannot be serialised for the workers: the pool is closed, not left half-loaded.
    const unsaveable = jest.spyOn(other, 'save').mockRejectedValue(new Error('cannot be saved'));
    try {
      await expect(pools.acquire(other, 1)).rejects.toThrow('cannot be saved');
    } finally {
      unsaveable.mockRestore();
    }
    expect(await closedWithin(first.pool, 5000)).toBe(true);
    expect(pools.size).toBe(0);
    const next = await pools.acquire(other, 1);
    expect(next.pool).not.toBe(first.pool);
    await expectExplainsAsThisThread(next.pool, other);
    next.release();
  });

  it('terminates and forgets a discarded pool; a pool whose worker died is not lent again', async () => {
    const discarded = await pools.acquire(model, 1);
    await discarded.discard();
    expect(discarded.pool.usable).toBe(false);
    expect(pools.size).toBe(0);
    const next = await pools.acquire(model, 1);
    expect(next.pool).not.toBe(discarded.pool);
    await next.pool.ready;
    next.release();
    await killFirstWorker(next.pool);
    const replaced = await pools.acquire(model, 1);
    expect(replaced.pool).not.toBe(next.pool);
    replaced.release();
  });

  it("drops a pool given back unusable, and keeps another model's idle pool", async () => {
    const broken = await pools.acquire(model, 1);
    await broken.pool.ready;
    // Meanwhile another comparison, on another model, ends and leaves its pool idle.
    const idle = await pools.acquire(other, 1);
    await idle.pool.ready;
    idle.release();
    await killFirstWorker(broken.pool);
    expect(broken.pool.usable).toBe(false);
    // Given back as a comparison that failed before sending its set gives it (compare-on-pool.ts):
    // kept idle, it would have closed the other model's pool (one model's pool idles at a time).
    broken.release();
    expect(idle.pool.usable).toBe(true);
    expect(pools.size).toBe(1);
    const again = await pools.acquire(other, 1);
    expect(again.pool).toBe(idle.pool);
    again.release();
  });

  it('closeIdle closes idle pools at once and a lent one when it is given back', async () => {
    const lent = await pools.acquire(other, 1);
    const idle = await pools.acquire(model, 1);
    idle.release();
    expect(pools.size).toBe(2);
    await pools.closeIdle();
    expect(idle.pool.usable).toBe(false);
    expect(lent.pool.usable).toBe(true);
    expect(pools.size).toBe(0);
    lent.release();
    expect(await closedWithin(lent.pool, 5000)).toBe(true);
  });
});
