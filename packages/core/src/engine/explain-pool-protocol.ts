import type * as tf from '@tensorflow/tfjs';
import type { PresetName, RuleName } from '../types';

/** The messages between an ExplainPool and its workers (structured-clone-safe only). */
export type PoolRequest =
  | {
      readonly kind: 'load';
      readonly id: number;
      readonly modelTopology: tf.io.ModelArtifacts['modelTopology'];
      readonly weightSpecs: tf.io.WeightsManifestEntry[];
      /** The weights, shared by every worker (read once into each engine). */
      readonly weightData: SharedArrayBuffer;
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
  | { readonly kind: 'close'; readonly id: number };

/** A worker's answers, one per request, with the request's id. */
export type PoolReply =
  | { readonly kind: 'loaded'; readonly id: number }
  | { readonly kind: 'explained'; readonly id: number; readonly relevance: ArrayBuffer }
  | { readonly kind: 'closed'; readonly id: number }
  | { readonly kind: 'failed'; readonly id: number; readonly message: string };

/** A request before the pool gives it its id. */
export type PoolRequestBody = PoolRequest extends infer R
  ? R extends PoolRequest
    ? Omit<R, 'id'>
    : never
  : never;
