import type * as tf from '@tensorflow/tfjs';
import { ExplainableModel } from './explainable-model';
import type { PrepareOptions } from './types';

/*
 * The ExplainableModel behind one-shot `explain()`, kept for the model explained last.
 *
 * Why: building the graph, folding batch norm and preparing the transposed kernels cost about half
 * a forward pass on VGG16 (npm run bench: a fresh graph's explanation 2348 ms, a kept one's 1775 ms),
 * and notebooks call `explain(model, x)` again and again with the same model. Explaining it again reuses all of that. Only one model is kept, so the memory held
 * stays bounded; it is rebuilt when the model's weights change (ExplainableModel.isCurrent) and
 * released by `releaseExplainCache()`.
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

/**
 * Releases what one-shot `explain()` keeps for the model it explained last: the engine's graph,
 * with folded batch-norm weights and prepared transposed kernels. The model itself is untouched.
 * Call it when you are done explaining a model, or before counting tensors.
 */
export function releaseExplainCache(): void {
  recent?.explainable.dispose();
  recent = null;
}
