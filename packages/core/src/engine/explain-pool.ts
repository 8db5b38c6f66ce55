import * as tf from '@tensorflow/tfjs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { DisposedError, EmptyBatchError, EngineError } from '../errors';
import { assertNumericInput } from '../session';
import type { MethodComparisonWithMaps } from '../evaluate/compare-methods';
import type { EvaluationProgress } from '../evaluate/metric-options';
import type { RelevanceScores } from '../evaluate/method-relevance';
import { sendableRule } from '../rule-from-recipe';
import type { RuleChoice } from '../types';
import { nativeKernelsActive } from './native-kernels';
import { loadOneDnnAddon } from './onednn-addon';
import { SharedBatch, tensorFromReused, valuesOf } from './shared-batch';
import { SliceQueue } from './slice-queue';
import { startWorkerWithoutTsx } from './worker-exec-argv';
import type {
  PoolComparisonSet,
  PoolScoresSet,
  PoolReply,
  PoolRequest,
  PoolRequestBody,
  PoolUpdate,
} from './explain-pool-protocol';

/** Options of {@link ExplainPool.start}. */
export interface ExplainPoolOptions {
  /** Worker threads, each with its own single-threaded wasm engine; default one per logical core. */
  readonly workers?: number;
  /**
   * Pin each worker to a core of its own (the lowest cores this process may use) when there are
   * at most as many workers as those cores and the native kernels are built (they carry the
   * call); default `false`. A thread that stays on one core keeps its caches: one thread pinned
   * compared 2048 images in 18.5 s against 20.1 s unpinned, but two pinned workers explained only
   * a few percent faster, within noise (docs/performance.md). Off by default because every pool
   * pins to the same lowest cores: two pools, or two processes, would share them while others
   * idle. Use it for one pool on a machine it has to itself.
   */
  readonly pinToCores?: boolean;
}

/** What a pool explanation takes: a rule and a target the workers can be sent. */
export interface PoolExplainOptions {
  /**
   * Rule or preset name, or a rule or composite made by one of this package's factories (e.g.
   * `epsilon({ timesStd: 0.25 })`, `epsilonPlusFlat({ epsilon: 1e-3 })`), which each worker makes
   * again from the same arguments; default `'rlrp'`.
   */
  readonly rule?: RuleChoice;
  /** A class for every sample, `'predicted'` (default), or one class per sample. */
  readonly target?: number | 'predicted' | readonly number[];
}

type Pending = {
  resolve: (reply: PoolReply) => void;
  reject: (error: Error) => void;
  onUpdate?: (update: PoolUpdate) => void;
};

/** One worker and the requests it has not answered yet. */
class PoolWorker {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Why the worker is gone (ended, crashed, terminated); later requests reject with it. */
  private gone: Error | undefined;

  constructor(readonly worker: Worker) {
    worker.on('message', (reply: PoolReply) => this.settle(reply));
    // A crash (out of memory, an uncaught error) is an EngineError like a failed request, so
    // callers (compareMethods' fallback) treat every way a worker can fail alike.
    worker.on('error', (error) => this.failAll(new EngineError(`Pool worker: ${error.message}`)));
    worker.on('exit', (code) =>
      this.failAll(new EngineError(`Pool worker exited (code ${code}).`)),
    );
    worker.unref();
  }

  /**
   * Sends one request, whose updates (a comparison's slices and progress) go to `onUpdate` until
   * its answer comes; the worker keeps Node alive only while it has requests to answer.
   */
  send(
    request: PoolRequestBody,
    transfer: ArrayBuffer[] = [],
    onUpdate?: (update: PoolUpdate) => void,
  ): Promise<PoolReply> {
    const id = this.nextId++;
    if (this.gone) return Promise.reject(this.gone);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onUpdate });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ ...request, id }, transfer);
    });
  }

  private settle(reply: PoolReply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    if (
      reply.kind === 'progress' ||
      reply.kind === 'slice-compared' ||
      reply.kind === 'slice-scored'
    ) {
      waiting.onUpdate?.(reply);
      return;
    }
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.kind === 'failed') waiting.reject(new EngineError(`Pool worker: ${reply.message}`));
    else waiting.resolve(reply);
  }

  /** Whether the worker still answers: it has not ended, crashed or been terminated. */
  get alive(): boolean {
    return this.gone === undefined;
  }

  /** Rejects every unanswered request, and every later one, with `error` (the worker is gone). */
  failAll(error: Error): void {
    this.gone ??= error;
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }
}

/**
 * Explains batches on every core: a pool of worker threads, each with its own single-threaded wasm
 * engine and its own copy of the model, splits every batch into one contiguous slice per worker.
 * The weights go to the workers once, in one SharedArrayBuffer (no copy per worker in this
 * thread). One image gains nothing; a batch of many gains up to the number of cores.
 *
 * @example
 * ```ts
 * const pool = await ExplainPool.start(model, { workers: 2 });
 * const relevance = await pool.explain(images, { rule: 'rlrp' }); // shaped like images
 * await pool.close();
 * ```
 */
export class ExplainPool {
  private closed = false;

  /** Why a worker could not load the model, once it is known. */
  private loadFailure: Error | undefined;

  /** The queues of the comparisons and sets of maps running now: {@link close} stops them. */
  private readonly draining = new Set<SliceQueue>();

  /** The batch and relevance {@link explain} shares with the workers, reused from call to call. */
  private readonly batch = new SharedBatch();

  /** Settles when the running {@link explain} has read its relevance back. */
  private explaining: Promise<void> = Promise.resolve();

  /** See {@link ready}. */
  private loaded: Promise<void>;

  private constructor(
    private readonly workers: readonly PoolWorker[],
    /** Each worker's core, or `null` when they are not pinned. */
    private readonly cores: readonly number[] | null,
    private readonly nativeKernels: boolean,
    artifacts: ModelArtifacts,
  ) {
    this.loaded = this.send(artifacts);
  }

  /**
   * Posts every worker `artifacts` to load, and gives what settles when all have loaded them: on a
   * failure the pool is terminated, and what was sent behind the model, or is sent later, fails
   * with the load's own error, not as terminated.
   */
  private send(artifacts: ModelArtifacts): Promise<void> {
    const { cores, nativeKernels } = this;
    const loads = this.workers.map((w, i) =>
      w.send({ kind: 'load', ...artifacts, core: cores?.[i] ?? null, nativeKernels }),
    );
    const loaded = Promise.all(loads).then(
      () => undefined,
      async (error: unknown) => {
        const failure = error instanceof Error ? error : new EngineError(String(error));
        this.loadFailure = failure;
        for (const w of this.workers) w.failAll(failure);
        await this.terminate();
        throw error;
      },
    );
    // Awaited by whoever needs the workers ready; not an unhandled rejection meanwhile.
    loaded.catch(() => undefined);
    return loaded;
  }

  /**
   * Starts the workers and hands each the model.
   *
   * @throws EngineError when `workers` is not a whole number ≥ 1, or a worker cannot load the model.
   */
  static async start(
    model: tf.LayersModel,
    options: ExplainPoolOptions = {},
  ): Promise<ExplainPool> {
    const pool = await ExplainPool.launch(model, options);
    await pool.ready;
    return pool;
  }

  /**
   * Starts the workers and posts each the model, without waiting for them to load it: requests
   * sent meanwhile wait behind the model in each worker, so this thread can go on with work of its
   * own while the workers boot (about half a second for an engine and a small model).
   * {@link ready} settles when every worker has loaded the model; when one cannot, it rejects and
   * the pool is terminated.
   *
   * @throws EngineError when `workers` is not a whole number ≥ 1, or the model cannot be serialised.
   */
  static async launch(
    model: tf.LayersModel,
    options: ExplainPoolOptions = {},
  ): Promise<ExplainPool> {
    const count = options.workers ?? os.availableParallelism();
    if (!Number.isInteger(count) || count < 1) {
      throw new EngineError(
        `ExplainPool: workers must be a whole number ≥ 1, got ${String(options.workers)}.`,
      );
    }
    // The workers boot (Node, tfjs, this package) while the model is serialised here.
    const workers = Array.from({ length: count }, () => new PoolWorker(startWorker()));
    let artifacts: Awaited<ReturnType<typeof modelArtifacts>>;
    try {
      artifacts = await modelArtifacts(model);
    } catch (error) {
      await Promise.all(workers.map((w) => w.worker.terminate()));
      throw error;
    }
    const cores = options.pinToCores === true ? coresForWorkers(count) : null;
    return new ExplainPool(workers, cores, workersRunNativeKernels(), artifacts);
  }

  /**
   * Hands every worker `model` in place of the model it holds, which it releases: the workers stay
   * up, booted and with their JIT warm, so a pool kept for one model serves the next (the workers
   * start in about a third of a second, and run their first slices slower). Like {@link launch},
   * does not wait for them to load it: requests sent meanwhile wait behind it, and {@link ready} is
   * now this load's. The workers keep the kernels they started with.
   *
   * @throws DisposedError when the pool is closed; EngineError when `model` cannot be serialised
   *   (the workers keep their model then).
   */
  async load(model: tf.LayersModel): Promise<void> {
    this.assertOpen();
    const artifacts = await modelArtifacts(model);
    // Closed while the model was serialised: nothing to hand it to.
    this.assertOpen();
    this.loaded = this.send(artifacts);
  }

  /**
   * Settles when every worker has loaded the model last handed to them ({@link start} waits for
   * it; {@link launch} and {@link load} do not). Rejects with the worker's EngineError when one
   * could not, and the pool is then terminated.
   */
  get ready(): Promise<void> {
    return this.loaded;
  }

  /** Number of workers. */
  get size(): number {
    return this.workers.length;
  }

  /**
   * Whether the pool can still take requests: not closed or terminated, every worker loaded the
   * model (as far as is known yet) and none has ended since.
   */
  get usable(): boolean {
    return !this.closed && !this.loadFailure && this.workers.every((w) => w.alive);
  }

  /**
   * The relevance of every sample of `input` (shaped like it), each worker explaining one slice.
   * Calls run one at a time, in the order they were made; each explains `input` as it was when
   * the call was made.
   *
   * @throws InputTypeError for a dtype that is not numbers; EmptyBatchError for a batch of no
   *   sample; DisposedError after {@link close} (also for calls still waiting for an earlier one
   *   then); the load's EngineError when a worker could not load the model; EngineError with the
   *   worker's message when a slice fails (bad rule name, target out of range, …), and when no
   *   memory can be had for the shared copy of a huge batch; EngineError for a rule object no
   *   factory of this package made (or changed since), which cannot be sent to the workers.
   */
  async explain(input: tf.Tensor, options: PoolExplainOptions = {}): Promise<tf.Tensor> {
    this.assertOpen();
    // As explain() refuses them; a batch of no sample would reach no worker at all.
    assertNumericInput(input);
    if (input.shape[0] === 0) throw new EmptyBatchError(input.shape);
    const batch = input.shape[0] ?? 1;
    const perSample = input.size / batch;
    const target = options.target ?? 'predicted';
    const rule = sendableRule(options.rule ?? 'rlrp');
    if (rule === undefined) {
      throw new EngineError(
        'ExplainPool: this rule object was not made by a factory of @rlrp/core, or was changed ' +
          'since, so its functions cannot be sent to the workers. Use a rule name or a factory ' +
          '(e.g. epsilon({ timesStd: 0.25 })), or explain it in this thread with explain().',
      );
    }
    if (Array.isArray(target) && target.length !== batch) {
      throw new EngineError(
        `ExplainPool: ${target.length} targets for a batch of ${batch}; give one per sample.`,
      );
    }
    // The batch as it is now (the same data, not a copy): the caller may dispose or reassign it
    // while this call waits its turn.
    const batchNow = tf.clone(input);
    // One batch at a time in the pool's shared buffers: a call waits for the one before.
    const previous = this.explaining;
    let finished = () => undefined as void;
    this.explaining = new Promise((resolve) => (finished = resolve));
    try {
      await previous;
      this.assertOpen();
      const { input: shared, output } = this.batch.reserve(input.size);
      // The workers read float32 values; other dtypes (e.g. int32 pixels) are converted here.
      new Float32Array(shared, 0, input.size).set(valuesOf(batchNow));
      const slices = sliceBatch(batch, this.workers.length);
      // Every worker answers before the buffers are reused, also after another failed: one still
      // explaining would write its relevance over the next batch's.
      const replies = await Promise.allSettled(
        slices.map(({ start, end }, i) =>
          this.workers[i].send({
            kind: 'explain',
            input: shared,
            output,
            offset: start * perSample,
            shape: [end - start, ...input.shape.slice(1)],
            rule,
            target: Array.isArray(target)
              ? target.slice(start, end)
              : (target as number | 'predicted'),
          }),
        ),
      );
      for (const reply of replies) {
        if (reply.status === 'rejected') throw reply.reason;
        if (reply.value.kind !== 'explained') {
          throw new EngineError(`Pool worker answered ${reply.value.kind}.`);
        }
      }
      return tensorFromReused(new Float32Array(output, 0, input.size), input.shape);
    } finally {
      batchNow.dispose();
      finished();
    }
  }

  /**
   * Runs the evaluation protocol of `compareMethods` on the slices of `set`: every worker takes the
   * next slice from the set's queue whenever it is free, so a slower core (or one shared with other
   * work) takes fewer; other threads (this one, in `compareMethods`) may take slices from the same
   * queue meanwhile. Gives the comparison of every slice a worker took, by slice index. Progress
   * comes through `onProgress` with the slice's index.
   *
   * @throws the load's EngineError when a worker could not load the model; DisposedError after
   *   {@link close} or {@link terminate}, or when the pool is closed or
   *   terminated while the slices run; EngineError with the worker's message when a slice fails.
   *   A failure stops the queue, so no thread takes another slice, but slices already running on
   *   other workers go on: {@link terminate} ends them.
   */
  async compare(
    set: PoolComparisonSet,
    onProgress?: (slice: number, progress: EvaluationProgress) => void,
  ): Promise<Map<number, MethodComparisonWithMaps>> {
    return this.drain({ kind: 'compare', ...set }, onProgress, (update) =>
      update.kind === 'slice-compared' ? update.comparison : undefined,
    );
  }

  /**
   * Explains the slices of `set` under each of its rules, as {@link compare} compares them: every
   * worker takes the next slice from the set's queue whenever it is free. Gives the maps of every
   * slice a worker took (one per rule, in order), by slice index.
   *
   * @throws as {@link compare}.
   */
  async scores(
    set: PoolScoresSet,
    onProgress?: (slice: number, progress: EvaluationProgress) => void,
  ): Promise<Map<number, RelevanceScores[]>> {
    return this.drain({ kind: 'scores', ...set }, onProgress, (update) =>
      update.kind === 'slice-scored' ? update.scores : undefined,
    );
  }

  /**
   * Sends every worker `request`, whose slices they take from its queue until none is left, and
   * gathers what `partOf` reads from their reports, by slice index.
   */
  private async drain<Part>(
    request: Extract<PoolRequestBody, { kind: 'compare' | 'scores' }>,
    onProgress: ((slice: number, progress: EvaluationProgress) => void) | undefined,
    partOf: (update: PoolUpdate) => Part | undefined,
  ): Promise<Map<number, Part>> {
    this.assertOpen();
    const queue = SliceQueue.over(request.queue, request.slices.length);
    const parts = new Map<number, Part>();
    const onUpdate = (update: PoolUpdate) => {
      if (update.kind === 'progress') {
        onProgress?.(update.slice, update.progress);
        return;
      }
      const part = partOf(update);
      if (part !== undefined) parts.set(update.slice, part);
    };
    this.draining.add(queue);
    try {
      // The set's shared memory is shared, not copied; the rest of it is cloned per worker.
      await Promise.all(this.workers.map((w) => w.send(request, [], onUpdate)));
    } catch (error) {
      queue.stop();
      throw error;
    } finally {
      this.draining.delete(queue);
    }
    if (this.closed) throw new DisposedError('The ExplainPool was closed while slices ran.');
    return parts;
  }

  /**
   * @throws the load's EngineError when a worker could not load the model, else DisposedError when
   *   the pool is closed.
   */
  private assertOpen(): void {
    if (this.loadFailure) throw this.loadFailure;
    if (this.closed) throw new DisposedError('This ExplainPool was closed; start a new one.');
  }

  /**
   * Ends the workers at once, even in the middle of a request (after an error or an abort, where
   * {@link close} would wait for the running work). Unanswered requests reject with DisposedError.
   * Idempotent.
   */
  async terminate(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const ended = new DisposedError('The ExplainPool was terminated while this request ran.');
    for (const w of this.workers) w.failAll(ended);
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  /**
   * Releases every worker's model and engine and ends the workers, once they have answered what
   * they were sent; a comparison running stops after the slices its workers hold. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A running comparison ends with the slices its workers hold (and rejects: it is incomplete).
    for (const queue of this.draining) queue.stop();
    await Promise.allSettled(this.workers.map((w) => w.send({ kind: 'close' })));
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

/**
 * Whether a pool started now runs the native kernels: it follows this thread's choice on wasm (off
 * when this thread turned them off), so that an image's results do not depend on the thread that
 * computed them; with another backend here the workers use them where built.
 */
export function workersRunNativeKernels(): boolean {
  return tf.getBackend() !== 'wasm' || nativeKernelsActive();
}

/** At most `parts` contiguous slices of `batch` samples, as even as possible. */
export function sliceBatch(batch: number, parts: number): { start: number; end: number }[] {
  const count = Math.min(batch, parts);
  return Array.from({ length: count }, (_, i) => ({
    start: Math.floor((i * batch) / count),
    end: Math.floor(((i + 1) * batch) / count),
  }));
}

/** A core of its own for each of `count` workers, or `null` when there are too few or no addon. */
function coresForWorkers(count: number): number[] | null {
  const { addon } = loadOneDnnAddon();
  if (!addon) return null;
  const allowed = addon.allowedCores();
  return allowed.length >= count ? allowed.slice(0, count) : null;
}

/** What a worker loads a model from: its topology and weights, the weights in one SharedArrayBuffer. */
type ModelArtifacts = Omit<
  Extract<PoolRequest, { kind: 'load' }>,
  'kind' | 'id' | 'core' | 'nativeKernels'
>;

/** `model`'s {@link ModelArtifacts}. */
async function modelArtifacts(model: tf.LayersModel): Promise<ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved?.weightSpecs || saved.weightData === undefined) {
    throw new EngineError('ExplainPool: the model could not be serialised (no weights).');
  }
  const parts = Array.isArray(saved.weightData) ? saved.weightData : [saved.weightData];
  const total = parts.reduce((sum, p) => sum + p.byteLength, 0);
  const weightData = new SharedArrayBuffer(total);
  const view = new Uint8Array(weightData);
  let offset = 0;
  for (const part of parts) {
    view.set(new Uint8Array(part), offset);
    offset += part.byteLength;
  }
  return { modelTopology: saved.modelTopology, weightSpecs: saved.weightSpecs, weightData };
}

/**
 * Starts one worker. Run from the TypeScript sources (tests), the worker registers tsx's require
 * hook first; run from the compiled package, it starts without tsx's loader (worker-exec-argv.ts).
 */
function startWorker(): Worker {
  const extension = path.extname(__filename);
  const script = path.join(__dirname, `explain-pool-worker${extension}`);
  if (extension !== '.ts') return startWorkerWithoutTsx(script);
  const bootstrap = `require('tsx/cjs'); require(${JSON.stringify(script)});`;
  return new Worker(bootstrap, { eval: true });
}
