import * as tf from '@tensorflow/tfjs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { DisposedError, EngineError } from '../errors';
import type { MethodComparisonWithMaps } from '../evaluate/compare-methods';
import type { EvaluationProgress } from '../evaluate/metric-options';
import type { PresetName, RuleName } from '../types';
import { loadOneDnnAddon } from './onednn-addon';
import type {
  PoolCompareRequest,
  PoolReply,
  PoolRequest,
  PoolRequestBody,
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

/** What a pool explanation takes: the rule by name, and a target the workers can be sent. */
export interface PoolExplainOptions {
  /** Rule or preset name; default `'rlrp'`. */
  readonly rule?: RuleName | PresetName;
  /** A class for every sample, `'predicted'` (default), or one class per sample. */
  readonly target?: number | 'predicted' | readonly number[];
}

type Pending = {
  resolve: (reply: PoolReply) => void;
  reject: (error: Error) => void;
  onProgress?: (progress: EvaluationProgress) => void;
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

  /** Sends one request; the worker keeps Node alive only while it has requests to answer. */
  send(
    request: PoolRequestBody,
    transfer: ArrayBuffer[] = [],
    onProgress?: (progress: EvaluationProgress) => void,
  ): Promise<PoolReply> {
    const id = this.nextId++;
    if (this.gone) return Promise.reject(this.gone);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ ...request, id }, transfer);
    });
  }

  private settle(reply: PoolReply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    if (reply.kind === 'progress') {
      waiting.onProgress?.(reply.progress);
      return;
    }
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.kind === 'failed') waiting.reject(new EngineError(`Pool worker: ${reply.message}`));
    else waiting.resolve(reply);
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

  private constructor(private readonly workers: readonly PoolWorker[]) {}

  /**
   * Starts the workers and hands each the model.
   *
   * @throws EngineError when `workers` is not a whole number ≥ 1, or a worker cannot load the model.
   */
  static async start(
    model: tf.LayersModel,
    options: ExplainPoolOptions = {},
  ): Promise<ExplainPool> {
    const count = options.workers ?? os.availableParallelism();
    if (!Number.isInteger(count) || count < 1) {
      throw new EngineError(
        `ExplainPool: workers must be a whole number ≥ 1, got ${String(options.workers)}.`,
      );
    }
    // The workers boot (Node, tfjs, this package) while the model is serialised here, and while
    // this thread goes on with synchronous work until it awaits the pool.
    const pool = new ExplainPool(
      Array.from({ length: count }, () => new PoolWorker(startWorker())),
    );
    try {
      const artifacts = await modelArtifacts(model);
      const cores = options.pinToCores === true ? coresForWorkers(count) : null;
      await Promise.all(
        pool.workers.map((w, i) =>
          w.send({ kind: 'load', ...artifacts, core: cores?.[i] ?? null }),
        ),
      );
    } catch (error) {
      await pool.terminate();
      throw error;
    }
    return pool;
  }

  /** Number of workers. */
  get size(): number {
    return this.workers.length;
  }

  /**
   * The relevance of every sample of `input` (shaped like it), each worker explaining one slice.
   *
   * @throws DisposedError after {@link close}; EngineError with the worker's message when a slice
   *   fails (bad rule name, target out of range, …).
   */
  async explain(input: tf.Tensor, options: PoolExplainOptions = {}): Promise<tf.Tensor> {
    if (this.closed) throw new DisposedError('This ExplainPool was closed; start a new one.');
    const batch = input.shape[0] ?? 1;
    const perSample = input.size / batch;
    const target = options.target ?? 'predicted';
    if (Array.isArray(target) && target.length !== batch) {
      throw new EngineError(
        `ExplainPool: ${target.length} targets for a batch of ${batch}; give one per sample.`,
      );
    }
    const data = await input.data();
    // The workers read float32 values; other dtypes (e.g. int32 pixels) are converted here.
    const values = data instanceof Float32Array ? data : Float32Array.from(data as Int32Array);
    const slices = sliceBatch(batch, this.workers.length);
    const replies = await Promise.all(
      slices.map(({ start, end }, i) => {
        const part = values.slice(start * perSample, end * perSample);
        return this.workers[i].send(
          {
            kind: 'explain',
            input: part.buffer,
            shape: [end - start, ...input.shape.slice(1)],
            rule: options.rule ?? 'rlrp',
            target: Array.isArray(target)
              ? target.slice(start, end)
              : (target as number | 'predicted'),
          },
          [part.buffer],
        );
      }),
    );
    const relevance = new Float32Array(input.size);
    replies.forEach((reply, i) => {
      if (reply.kind !== 'explained') throw new EngineError(`Pool worker answered ${reply.kind}.`);
      relevance.set(new Float32Array(reply.relevance), slices[i].start * perSample);
    });
    return tf.tensor(relevance, input.shape, 'float32');
  }

  /**
   * Runs the evaluation protocol of `compareMethods` on slices of a dataset and gives each slice's
   * comparison in the order of `slices`. Slices go out in order, each to the next worker that is
   * free, so a slower core (or one shared with other work) takes fewer of them; give several
   * slices per worker for that balance to work. Progress comes through `onProgress` with the
   * slice's index.
   *
   * @throws DisposedError after {@link close} or {@link terminate}, or when the pool is closed or
   *   terminated while the slices run; EngineError with the worker's message when a slice fails.
   *   After a failure no further slice is sent, but slices already running on other workers go on:
   *   {@link terminate} ends them ({@link close} would wait for them).
   */
  async compare(
    slices: readonly PoolCompareRequest[],
    onProgress?: (slice: number, progress: EvaluationProgress) => void,
  ): Promise<MethodComparisonWithMaps[]> {
    if (this.closed) throw new DisposedError('This ExplainPool was closed; start a new one.');
    const results: MethodComparisonWithMaps[] = new Array(slices.length);
    let next = 0;
    let failed = false;
    const serve = async (worker: PoolWorker): Promise<void> => {
      while (next < slices.length && !failed) {
        if (this.closed) throw new DisposedError('The ExplainPool was closed while slices ran.');
        const i = next++;
        const slice = slices[i];
        const transfer = [
          slice.images,
          ...slice.methods.flatMap((m) =>
            'relevance' in m ? [m.relevance.scores.buffer as ArrayBuffer] : [],
          ),
        ];
        try {
          const reply = await worker.send(
            { kind: 'compare', ...slice },
            transfer,
            onProgress && ((progress) => onProgress(i, progress)),
          );
          if (reply.kind !== 'compared') {
            throw new EngineError(`Pool worker answered ${reply.kind}.`);
          }
          results[i] = reply.comparison;
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    await Promise.all(this.workers.map(serve));
    return results;
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

  /** Releases every worker's model and engine and ends the workers. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled(this.workers.map((w) => w.send({ kind: 'close' })));
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
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

/** The model's topology and weights, the weights in one SharedArrayBuffer. */
async function modelArtifacts(
  model: tf.LayersModel,
): Promise<Omit<Extract<PoolRequest, { kind: 'load' }>, 'kind' | 'id' | 'core'>> {
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
 * Starts one worker. Run from the TypeScript sources (tests, tsx), the worker registers tsx's
 * require hook first: a worker does not inherit its parent's loaders.
 */
function startWorker(): Worker {
  const extension = path.extname(__filename);
  const script = path.join(__dirname, `explain-pool-worker${extension}`);
  if (extension !== '.ts') return new Worker(script);
  const bootstrap = `require('tsx/cjs'); require(${JSON.stringify(script)});`;
  return new Worker(bootstrap, { eval: true });
}
