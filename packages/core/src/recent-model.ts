import type * as tf from '@tensorflow/tfjs';
import { ExplainableModel } from './explainable-model';
import type { PrepareOptions } from './types';

/*
 * The ExplainableModel behind one-shot `explain()`, kept for the model explained last.
 *
 * Why: building the graph, folding batch norm and preparing the transposed kernels cost about as
 * much as a forward pass on VGG16, and notebooks call `explain(model, x)` again and again with the
 * same model. Explaining it again reuses all of that (architecture.md: "graph once per model").
 * Only one model is kept, so the memory held stays bounded; it is rebuilt when the model's weights
 * change and released by `releaseExplainCache()`.
 */

interface RecentModel {
  readonly model: tf.LayersModel;
  readonly foldBatchNorm: boolean;
  /**
   * The weights' data objects when the graph was built. Training, `setWeights` and loading all go
   * through `Variable.assign`, which gives the variable new data, so identity tells a change.
   */
  readonly weightData: readonly object[];
  readonly explainable: ExplainableModel;
}

let recent: RecentModel | null = null;

/** The data object behind each weight, or `null` for a disposed one. */
function weightDataOf(model: tf.LayersModel): (object | null)[] {
  return model.weights.map((w) => {
    try {
      return w.read().dataId;
    } catch {
      return null; // LayerVariable.read() throws once the model was disposed
    }
  });
}

function isCurrent(entry: RecentModel, model: tf.LayersModel, foldBatchNorm: boolean): boolean {
  if (entry.model !== model || entry.foldBatchNorm !== foldBatchNorm) return false;
  const now = weightDataOf(model);
  return now.length === entry.weightData.length && now.every((d, i) => d === entry.weightData[i]);
}

/** The explainable form of `model` for one-shot `explain()`: the kept one, or a new one. */
export function explainableFor(model: tf.LayersModel, options: PrepareOptions): ExplainableModel {
  const foldBatchNorm = options.foldBatchNorm !== false;
  if (recent && isCurrent(recent, model, foldBatchNorm)) return recent.explainable;
  releaseExplainCache();
  const explainable = new ExplainableModel(model, options);
  const weightData = weightDataOf(model).filter((d): d is object => d !== null);
  recent = { model, foldBatchNorm, weightData, explainable };
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
