import * as tf from '@tensorflow/tfjs';
import { ExplainPool, workersRunNativeKernels } from './explain-pool';

/**
 * How long a pool of {@link reusablePools} stays up with nothing to do: 60 s. A comparison on the
 * same model within it (a notebook cell run again, several comparisons in a loop) finds its workers
 * booted, holding the model, their JIT warm; after it the workers and their copies of the model are
 * released. joblib's reusable executor keeps idle workers for the same reason (its default: 300 s);
 * this is shorter because each worker holds a whole engine and model.
 */
export const POOL_IDLE_MS = 60_000;

/** What a pool was started for: a pool serves a request only when all of it is still the same. */
interface PoolKey {
  readonly workers: number;
  /** Whether the workers run the native kernels, as this thread did when the pool started. */
  readonly nativeKernels: boolean;
  /** The model's weight tensors' data: setting a weight (training, `setWeights`) replaces it. */
  readonly weightData: readonly object[];
}

interface Entry {
  readonly pool: ExplainPool;
  readonly key: PoolKey;
  busy: boolean;
  idle?: NodeJS.Timeout;
}

/** A pool lent by {@link ReusablePools.acquire}: give it back with `release` or `discard`. */
export interface LentPool {
  readonly pool: ExplainPool;
  /** Keeps the pool for the next request (it closes after the idle time), the work having succeeded. */
  release(): void;
  /** Ends the pool at once (after a failure or an abort: its workers may be mid-slice). */
  discard(): Promise<void>;
}

/**
 * Pools kept between requests: starting a pool's workers costs about half a second of wall time and
 * more of CPU (each loads Node, tfjs, an engine and the model, then runs its first slices with a
 * cold JIT), as much as comparing a hundred MNIST images, so a pool that is reused makes a second
 * comparison on the same model start at full speed. A kept pool is lent as it is for the same
 * model object, weights, worker count and kernels. For another model, or weights set since (by
 * training or `setWeights`), an idle pool of the same worker count and kernels is lent too, its
 * workers loading the model requested in place of theirs (`ExplainPool.load`): they skip their
 * start-up, as when `npm run reproduce` compares one model after another. At most one pool is kept
 * idle: the idle pools of other models are closed, so their engines and model copies do not add
 * up. While a pool is lent, a second request for the same model gets a pool of its own, ended when
 * given back. Kept pools' workers do not keep Node running (they are unreferenced while idle).
 */
export class ReusablePools {
  private readonly kept = new Map<tf.LayersModel, Entry>();
  /** Counts {@link closeIdle} calls: a pool that was starting during one is not kept. */
  private generation = 0;

  /** @param idleMs how long an unused pool is kept before it is closed. */
  constructor(private readonly idleMs: number) {}

  /** Number of pools kept now (lent or idle). */
  get size(): number {
    return this.kept.size;
  }

  /**
   * A pool of `workers` workers holding `model`: the kept one when it still fits, else an idle one
   * of that size and kernels whose workers were handed `model` (see {@link reloadIdle}), else a
   * new one (launched, not awaited: see {@link ExplainPool.launch}) that is kept when released.
   *
   * @throws what {@link ExplainPool.launch} and {@link ExplainPool.load} throw.
   */
  async acquire(model: tf.LayersModel, workers: number): Promise<LentPool> {
    // Before any wait: a closeIdle from here on means the pool lent is not kept.
    const generation = this.generation;
    const key = poolKey(model, workers);
    const entry = this.kept.get(model);
    if (entry && !entry.busy && entry.pool.usable && sameKey(entry.key, key)) {
      clearTimeout(entry.idle);
      entry.busy = true;
      return this.lend(model, entry);
    }
    const reloaded = await this.reloadIdle(model, key);
    if (reloaded) return reloaded;
    if (entry && !entry.busy) void this.drop(model, entry);
    this.dropIdleExcept(model);
    const fresh: Entry = { pool: await ExplainPool.launch(model, { workers }), key, busy: true };
    // Kept unless another request for this model kept one meanwhile, or closeIdle was called while
    // this one started: then the pool is this request's own, closed when given back (lend).
    if (!this.kept.has(model) && this.generation === generation) this.kept.set(model, fresh);
    return this.lend(model, fresh);
  }

  /**
   * An idle pool of `key`'s worker count and kernels, held for another model or other weights,
   * lent for `model` once its workers were handed `model` (not waiting for them to load it), or
   * `undefined` when there is none. The pool is kept for `model` unless `model` already has a kept
   * pool (lent now): then it is this request's own, closed when given back.
   *
   * @throws what {@link ExplainPool.load} throws (the pool is closed then).
   */
  private async reloadIdle(model: tf.LayersModel, key: PoolKey): Promise<LentPool | undefined> {
    const found = [...this.kept].find(
      ([, idle]) =>
        !idle.busy &&
        idle.pool.usable &&
        idle.key.workers === key.workers &&
        idle.key.nativeKernels === key.nativeKernels,
    );
    if (!found) return undefined;
    const [held, idle] = found;
    clearTimeout(idle.idle);
    this.kept.delete(held);
    // This model's own idle pool, when it was not the one found, fits no more (another size).
    const mine = this.kept.get(model);
    if (mine && !mine.busy) void this.drop(model, mine);
    const moved: Entry = { pool: idle.pool, key, busy: true };
    // Kept before the load is awaited, so that closeIdle meanwhile sees it lent (and closes it when
    // it is given back).
    if (!this.kept.has(model)) this.kept.set(model, moved);
    this.dropIdleExcept(model);
    try {
      await moved.pool.load(model);
    } catch (error) {
      if (this.kept.get(model) === moved) this.kept.delete(model);
      closeQuietly(moved.pool);
      throw error;
    }
    return this.lend(model, moved);
  }

  /** Closes the idle pools of every model but `model`: one model's pool stays idle at a time. */
  private dropIdleExcept(model: tf.LayersModel): void {
    for (const [other, idle] of this.kept) {
      if (other !== model && !idle.busy) void this.drop(other, idle);
    }
  }

  /**
   * Closes every kept pool that is not lent now; those lent, and those starting now, are closed
   * when given back.
   */
  async closeIdle(): Promise<void> {
    this.generation++;
    const closing: Promise<void>[] = [];
    for (const [model, entry] of this.kept) {
      if (entry.busy) this.kept.delete(model);
      else closing.push(this.drop(model, entry));
    }
    await Promise.all(closing);
  }

  private lend(model: tf.LayersModel, entry: Entry): LentPool {
    let returned = false;
    return {
      pool: entry.pool,
      release: () => {
        if (returned) return;
        returned = true;
        entry.busy = false;
        // Forgotten while lent (closeIdle, or replaced): nobody will ask for it again.
        if (this.kept.get(model) !== entry) {
          closeQuietly(entry.pool);
          return;
        }
        // A pool that failed (its workers could not start, or one died) is not kept idle: it
        // would close another model's healthy idle pool for nothing.
        if (!entry.pool.usable) {
          void this.drop(model, entry);
          return;
        }
        this.dropIdleExcept(model);
        entry.idle = setTimeout(() => void this.drop(model, entry), this.idleMs);
        entry.idle.unref();
      },
      discard: async () => {
        if (returned) return;
        returned = true;
        if (this.kept.get(model) === entry) this.kept.delete(model);
        await entry.pool.terminate();
      },
    };
  }

  /** Forgets `entry` and closes its pool; never rejects (nobody waits on an idle pool's end). */
  private drop(model: tf.LayersModel, entry: Entry): Promise<void> {
    clearTimeout(entry.idle);
    if (this.kept.get(model) === entry) this.kept.delete(model);
    return entry.pool.close().catch(() => undefined);
  }
}

/** Closes `pool` in the background: its end is nobody's to wait for, or to fail. */
function closeQuietly(pool: ExplainPool): void {
  pool.close().catch(() => undefined);
}

/** The pools `compareMethods` keeps between calls ({@link POOL_IDLE_MS} idle at most). */
export const reusablePools = new ReusablePools(POOL_IDLE_MS);

/**
 * Closes the worker pools `compareMethods` keeps between calls (they close by themselves after a
 * minute unused): for a notebook that wants the workers' memory back at once, or a test that
 * counts pool starts. A pool in use is closed when its comparison ends.
 */
export function closeComparisonWorkers(): Promise<void> {
  return reusablePools.closeIdle();
}

function poolKey(model: tf.LayersModel, workers: number): PoolKey {
  return {
    workers,
    nativeKernels: workersRunNativeKernels(),
    weightData: model.weights.map((w) => w.read().dataId),
  };
}

function sameKey(a: PoolKey, b: PoolKey): boolean {
  return (
    a.workers === b.workers &&
    a.nativeKernels === b.nativeKernels &&
    a.weightData.length === b.weightData.length &&
    a.weightData.every((data, i) => data === b.weightData[i])
  );
}
