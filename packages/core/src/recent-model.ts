import * as tf from '@tensorflow/tfjs';
import { cacheGrew, cacheReleased, cacheStarted } from './explain-cache-memory';
import { ExplainableModel } from './explainable-model';
import type { ExplainOptions, Explanation, PrepareOptions } from './types';

/*
 * The ExplainableModel behind one-shot `explain()`, kept for the model explained last.
 *
 * Why: building the graph, folding batch norm and preparing the transposed kernels cost about half
 * a forward pass on VGG16 (npm run bench: a fresh graph's explanation 2348 ms, a kept one's 1775 ms),
 * and notebooks call `explain(model, x)` again and again with the same model. Explaining it again reuses all of that. Only one model is kept, so the memory held
 * stays bounded; it is rebuilt when the model's weights change (ExplainableModel.isCurrent) and
 * released by `releaseExplainCache()`, by `model.dispose()`, or when it grows past the limit set
 * with `setExplainCacheLimit()` (explain-cache-memory.ts counts what it holds).
 */

interface RecentModel {
  readonly model: tf.LayersModel;
  readonly foldBatchNorm: boolean;
  readonly explainable: ExplainableModel;
}

let recent: RecentModel | null = null;

/** The explainable form of `model` for one-shot `explain()`: the kept one, or a new one. */
export function explainableFor(model: tf.LayersModel, options: PrepareOptions): ExplainableModel {
  const foldBatchNorm = options.foldBatchNorm !== false;
  const kept = recent;
  if (
    kept &&
    kept.model === model &&
    kept.foldBatchNorm === foldBatchNorm &&
    kept.explainable.isCurrent()
  ) {
    return kept.explainable;
  }
  releaseExplainCache();
  const explainable = new ExplainableModel(model, options);
  recent = { model, foldBatchNorm, explainable };
  return explainable;
}

/** Tensor bytes the cache's releases freed, so that an explanation's growth can be counted net. */
let freedBytes = 0;
/** Puts the kept model's own `dispose` back. */
let unhookDispose: (() => void) | null = null;

/**
 * One-shot explanation on the kept (or a newly kept) graph, counting what the cache grows by and
 * releasing it when over its limit or when the model is disposed.
 */
export function explainWithKeptModel(
  model: tf.LayersModel,
  input: tf.Tensor,
  options: ExplainOptions & PrepareOptions,
): Explanation {
  const bytesBefore = tf.memory().numBytes;
  freedBytes = 0;
  const explainable = explainableFor(model, options);
  if (unhookDispose === null && recent?.explainable === explainable) {
    cacheStarted(model);
    unhookDispose = releaseOnDispose(model);
  }
  let explanation: Explanation | null = null;
  try {
    explanation = explainable.explain(input, options);
    return explanation;
  } finally {
    // Also when the explanation threw: the graph it built is kept and counted.
    if (recent?.explainable === explainable && cacheGrew(bytesBefore - freedBytes, explanation)) {
      releaseExplainCache();
    }
  }
}

/**
 * Makes `model.dispose()` release the cache first: the kept graph holds tensors made from the
 * model's weights, which would otherwise outlive it until the next `explain()`.
 */
function releaseOnDispose(model: tf.LayersModel): () => void {
  const ownDispose = Object.prototype.hasOwnProperty.call(model, 'dispose')
    ? model.dispose
    : undefined;
  const dispose = model.dispose;
  model.dispose = function (this: tf.LayersModel) {
    if (recent?.model === model) releaseExplainCache();
    return dispose.call(this);
  };
  return () => {
    if (ownDispose) model.dispose = ownDispose;
    else delete (model as { dispose?: unknown }).dispose;
  };
}

/**
 * Releases what one-shot `explain()` keeps for the model it explained last: the engine's graph,
 * with folded batch-norm weights and prepared transposed kernels. The model itself is untouched,
 * and so are the native kernels' packed copies of its own weights (forward, and flipped for the
 * transposes), which live as long as the weights (`nativeFilterCache()` counts them; they are
 * bounded at 512 MiB). Call it when you are done explaining a model, or before counting tensors.
 */
export function releaseExplainCache(): void {
  const bytesBefore = tf.memory().numBytes;
  recent?.explainable.dispose();
  recent = null;
  freedBytes += bytesBefore - tf.memory().numBytes;
  unhookDispose?.();
  unhookDispose = null;
  cacheReleased();
}
