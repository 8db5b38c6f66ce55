import type * as tf from '@tensorflow/tfjs';
import type { MethodComparisonWithMaps } from '../evaluate/compare-methods';
import type { ScoreOutput } from '../evaluate/classifier';
import type { EvaluationProgress } from '../evaluate/metric-options';
import type { RelevanceScores } from '../evaluate/method-relevance';
import type { PresetName, RuleName } from '../types';

/**
 * One method of a slice to compare: a rule the worker explains by name, or (for rule and composite
 * objects, which hold functions and cannot be sent) the slice's relevance computed by the pool's owner.
 * That relevance's `scores` buffer is transferred like the images: one buffer of its own per slice.
 */
export type PoolMethod =
  | { readonly name: string; readonly rule: RuleName | PresetName }
  | { readonly name: string; readonly relevance: RelevanceScores };

/** The evaluation protocol on one slice of a dataset (`compareMethods`' options, sendable). */
export interface PoolCompareRequest {
  /**
   * The slice's images, float32 values. Transferred to the worker: the buffer is detached (empty)
   * here once the slice is sent, so give each slice its own (`values.slice(...)`, not a view).
   */
  readonly images: ArrayBuffer;
  readonly shape: [number, number, number, number];
  readonly labels: number[];
  readonly methods: PoolMethod[];
  readonly percents?: readonly number[];
  readonly steps?: number;
  /** A number, or a tensor's float32 values and shape. */
  readonly baseline?: number | { readonly values: Float32Array; readonly shape: number[] };
  readonly batchSize?: number;
  readonly explainBatchSize?: number;
  readonly seed?: number;
  /** Index of the slice's first image in the whole evaluated set. */
  readonly firstSample: number;
  readonly scoreOutput?: ScoreOutput;
}

/** The messages between an ExplainPool and its workers (structured-clone-safe only). */
export type PoolRequest =
  | {
      readonly kind: 'load';
      readonly id: number;
      readonly modelTopology: tf.io.ModelArtifacts['modelTopology'];
      readonly weightSpecs: tf.io.WeightsManifestEntry[];
      /** The weights, shared by every worker (read once into each engine). */
      readonly weightData: SharedArrayBuffer;
      /** The core the worker pins itself to, or `null` to let it run anywhere. */
      readonly core: number | null;
    }
  | {
      readonly kind: 'explain';
      readonly id: number;
      /** The slice of the batch, float32 values. */
      readonly input: ArrayBuffer;
      readonly shape: number[];
      readonly rule: RuleName | PresetName;
      readonly target: number | 'predicted' | number[];
    }
  | ({ readonly kind: 'compare'; readonly id: number } & PoolCompareRequest)
  | { readonly kind: 'close'; readonly id: number };

/** A worker's answers, one per request, with the request's id. */
export type PoolReply =
  | { readonly kind: 'loaded'; readonly id: number }
  | { readonly kind: 'explained'; readonly id: number; readonly relevance: ArrayBuffer }
  | {
      readonly kind: 'compared';
      readonly id: number;
      readonly comparison: MethodComparisonWithMaps;
    }
  /** Progress of a `compare` request; the request is still running. */
  | { readonly kind: 'progress'; readonly id: number; readonly progress: EvaluationProgress }
  | { readonly kind: 'closed'; readonly id: number }
  | { readonly kind: 'failed'; readonly id: number; readonly message: string };

/** A request before the pool gives it its id. */
export type PoolRequestBody = PoolRequest extends infer R
  ? R extends PoolRequest
    ? Omit<R, 'id'>
    : never
  : never;
