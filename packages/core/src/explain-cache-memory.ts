import * as tf from '@tensorflow/tfjs';
import { ExplainCacheLimitError } from './errors';
import type { Explanation } from './types';

/*
 * What one-shot `explain()`'s cache (recent-model.ts) costs, and its bound.
 *
 * The cache's tensors are made in many places (folded batch norm while the graph is built, the
 * rules' weight rewrites, flipped kernels and Winograd's matrices on the first and second
 * explanations), so they are counted where they appear: the engine's tensor bytes grow by exactly
 * what the cache keeps plus the explanation returned, since an explanation is synchronous and the
 * engine leaks nothing (properties-leaks.test.ts).
 */

/** What one-shot `explain()` keeps, in bytes; read it with {@link explainCacheMemory}. */
export interface ExplainCacheMemory {
  /** Bytes of the tensors the cache holds (the model's own weights are not counted). */
  readonly bytes: number;
  /** Bytes of the kept model's own weights, for scale (0 when nothing is kept). */
  readonly modelWeightBytes: number;
  /** The bound set by {@link setExplainCacheLimit} (`Infinity`: none). */
  readonly limitBytes: number;
  /** Name of the kept model, or `null` when nothing is kept. */
  readonly modelName: string | null;
}

let heldBytes = 0;
let limitBytes = Number.POSITIVE_INFINITY;
let keptModel: tf.LayersModel | null = null;

/**
 * What one-shot `explain()` keeps for the model it explained last, in bytes of tensor data.
 *
 * The kept graph makes explaining the same model again cheaper (no graph to build, kernels already
 * flipped); on large models it also costs memory: measured on VGG16 (553 MB of weights), 0 after
 * one LRP-ε or R-LRP explanation and 105 MB from the second on (Winograd's matrices), 59 / 164 MB
 * for EpsilonPlusFlat (its w⁺ kernels). XNNPACK's packed copies of these (about as large again)
 * live in the wasm heap, outside `tf.memory()`, and go with them. Bound it with
 * {@link setExplainCacheLimit}; free it with `releaseExplainCache()` or by disposing the model.
 *
 * @example
 * ```ts
 * explain(model, image);
 * const { bytes, modelWeightBytes } = explainCacheMemory();
 * ```
 */
export function explainCacheMemory(): ExplainCacheMemory {
  return {
    bytes: keptModel ? heldBytes : 0,
    modelWeightBytes: keptModel ? weightBytes(keptModel) : 0,
    limitBytes,
    modelName: keptModel ? keptModel.name : null,
  };
}

/**
 * Bounds what one-shot `explain()` keeps between calls: when an explanation leaves the cache
 * holding more than `bytes`, it is released right after that explanation (which is still
 * returned), so the next call builds the graph again. `0` never keeps anything; `Infinity` (the
 * default) keeps the model explained last whatever it costs.
 *
 * @param bytes - the bound in bytes of tensor data.
 * @throws ExplainCacheLimitError when `bytes` is negative or not a number.
 */
export function setExplainCacheLimit(bytes: number): void {
  if (typeof bytes !== 'number' || Number.isNaN(bytes) || bytes < 0) {
    throw new ExplainCacheLimitError(
      `setExplainCacheLimit: the limit must be a number of bytes ≥ 0 (or Infinity for no limit), got ${String(bytes)}.`,
    );
  }
  limitBytes = bytes;
}

/** Starts counting for a newly kept model (its graph's bytes arrive with its first explanation). */
export function cacheStarted(model: tf.LayersModel): void {
  keptModel = model;
  heldBytes = 0;
}

/** The cache was released. */
export function cacheReleased(): void {
  keptModel = null;
  heldBytes = 0;
}

/**
 * Adds what the cache grew by during one explanation (`bytesBefore` read before the graph was
 * looked up; `explanation` is `null` when it threw), and says whether it is now over its limit.
 */
export function cacheGrew(bytesBefore: number, explanation: Explanation | null): boolean {
  const returned = explanation ? explanationBytes(explanation) : 0;
  heldBytes += tf.memory().numBytes - bytesBefore - returned;
  return heldBytes > limitBytes;
}

function explanationBytes(explanation: Explanation): number {
  // A set: a trace may hand out the input relevance itself.
  const tensors = new Set<tf.Tensor>([explanation.relevance, explanation.logits]);
  for (const layer of explanation.trace ?? []) tensors.add(layer.relevance);
  let bytes = 0;
  for (const t of tensors) bytes += t.size * bytesPerElement(t.dtype);
  return bytes;
}

function weightBytes(model: tf.LayersModel): number {
  let bytes = 0;
  for (const w of model.weights) bytes += w.shape.reduce<number>((a, b) => a * (b ?? 1), 1) * 4;
  return bytes;
}

function bytesPerElement(dtype: tf.DataType): number {
  return dtype === 'bool' ? 1 : dtype === 'complex64' ? 8 : 4;
}
