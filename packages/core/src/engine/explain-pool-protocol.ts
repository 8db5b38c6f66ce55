import type * as tf from '@tensorflow/tfjs';
import type { MethodComparisonWithMaps } from '../evaluate/compare-methods';
import type { ScoreOutput } from '../evaluate/classifier';
import type { EvaluationProgress } from '../evaluate/metric-options';
import type { RelevanceScores } from '../evaluate/method-relevance';
import type { SendableRule } from '../rule-from-recipe';

/**
 * One method of a comparison: a rule the threads explain, sent by name or as the recipe of the
 * factory that made it, or (for other rule and composite objects, whose functions cannot be sent)
 * the whole set's relevance, computed by the pool's owner, its `scores` in shared memory.
 */
export type PoolMethod =
  | { readonly name: string; readonly rule: SendableRule }
  | { readonly name: string; readonly relevance: RelevanceScores };

/**
 * The evaluation protocol of `compareMethods` on a dataset, cut into slices that the pool's workers
 * (and this thread) take from one `SliceQueue` (slice-queue.ts): the images are in shared memory, read by
 * every thread without a copy per worker.
 */
export interface PoolComparisonSet {
  /** Every image of the set, float32 values, `shape` order. */
  readonly images: SharedArrayBuffer;
  readonly shape: [number, number, number, number];
  /** The true label of every image. */
  readonly labels: readonly number[];
  readonly methods: readonly PoolMethod[];
  /** Contiguous slices `[start, end)` of the set, in order. */
  readonly slices: readonly { readonly start: number; readonly end: number }[];
  /** The counter of the queue the slices are taken from (`SliceQueue.buffer`). */
  readonly queue: SharedArrayBuffer;
  readonly percents?: readonly number[];
  readonly steps?: number;
  /** A number, or a tensor's float32 values and shape. */
  readonly baseline?: number | { readonly values: Float32Array; readonly shape: number[] };
  readonly batchSize?: number;
  readonly explainBatchSize?: number;
  readonly seed?: number;
  /** Index of the set's first image in the whole evaluated set. */
  readonly firstSample: number;
  readonly scoreOutput?: ScoreOutput;
}

/**
 * The relevance maps of a dataset under several rules (`relevanceScoresOnWorkers`), cut into
 * slices that the pool's workers (and this thread) take from one `SliceQueue`, the images in
 * shared memory as in a {@link PoolComparisonSet}.
 */
export interface PoolScoresSet {
  /** Every image of the set, float32 values, `shape` order. */
  readonly images: SharedArrayBuffer;
  readonly shape: [number, number, number, number];
  /** Each rule's name or recipe, in the order of the maps a slice gives back. */
  readonly rules: readonly SendableRule[];
  /** The class to explain for every image of the set, or `'predicted'` (a class, or one per image). */
  readonly target: number | 'predicted' | readonly number[];
  /** Contiguous slices `[start, end)` of the set, in order. */
  readonly slices: readonly { readonly start: number; readonly end: number }[];
  /** The counter of the queue the slices are taken from (`SliceQueue.buffer`). */
  readonly queue: SharedArrayBuffer;
  /** Images per forward/backward pass. */
  readonly batchSize?: number;
}

/** The messages between an ExplainPool and its workers (structured-clone-safe only). */
export type PoolRequest =
  | {
      /** Loads a model, in place of the one the worker holds. */
      readonly kind: 'load';
      readonly id: number;
      readonly modelTopology: tf.io.ModelArtifacts['modelTopology'];
      readonly weightSpecs: tf.io.WeightsManifestEntry[];
      /** The weights, shared by every worker (read once into each engine). */
      readonly weightData: SharedArrayBuffer;
      /** The core the worker pins itself to, or `null` to let it run anywhere. */
      readonly core: number | null;
      /** Whether the worker's wasm engine runs the native kernels (when they are built). */
      readonly nativeKernels: boolean;
    }
  | {
      readonly kind: 'explain';
      readonly id: number;
      /** The whole batch, float32 values, shared by the workers (shared-batch.ts). */
      readonly input: SharedArrayBuffer;
      /** Where the workers write the batch's relevance, each its slice. */
      readonly output: SharedArrayBuffer;
      /** Where this worker's slice starts in both, in values. */
      readonly offset: number;
      /** The slice's shape. */
      readonly shape: number[];
      readonly rule: SendableRule;
      readonly target: number | 'predicted' | number[];
    }
  | ({ readonly kind: 'compare'; readonly id: number } & PoolComparisonSet)
  | ({ readonly kind: 'scores'; readonly id: number } & PoolScoresSet)
  | { readonly kind: 'close'; readonly id: number };

/** What a worker reports while a `compare` or `scores` request runs (the request is still running). */
export type PoolUpdate =
  /** One slice compared. */
  | {
      readonly kind: 'slice-compared';
      readonly id: number;
      readonly slice: number;
      readonly comparison: MethodComparisonWithMaps;
    }
  /** One slice explained: its maps under each rule of the set, in order. */
  | {
      readonly kind: 'slice-scored';
      readonly id: number;
      readonly slice: number;
      readonly scores: RelevanceScores[];
    }
  /** Progress of the slice the worker holds. */
  | {
      readonly kind: 'progress';
      readonly id: number;
      readonly slice: number;
      readonly progress: EvaluationProgress;
    };

/** A worker's answers, one per request, with the request's id, and its updates. */
export type PoolReply =
  | PoolUpdate
  | { readonly kind: 'loaded'; readonly id: number }
  /** The slice's relevance is in the request's `output`. */
  | { readonly kind: 'explained'; readonly id: number }
  /** The queue had no slice left for this worker (its slices came as updates). */
  | { readonly kind: 'drained'; readonly id: number }
  | { readonly kind: 'closed'; readonly id: number }
  | { readonly kind: 'failed'; readonly id: number; readonly message: string };

/** A request before the pool gives it its id. */
export type PoolRequestBody = PoolRequest extends infer R
  ? R extends PoolRequest
    ? Omit<R, 'id'>
    : never
  : never;
