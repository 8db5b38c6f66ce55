import type * as tf from '@tensorflow/tfjs';
import { ExplainableModel } from './explainable-model';
import { explainWithKeptModel } from './recent-model';
import { ExplanationSession } from './session';
import type { ExplainOptions, Explanation, PrepareOptions } from './types';

/**
 * Runs and caches the forward pass of `input` through `model`. Call `session.explain({ rule, target })`
 * as often as you like (only the backward pass runs), then `session.dispose()`. Once the model's
 * weights change (training, `setWeights`), the session's `explain` throws `ModelChangedError`:
 * prepare again.
 *
 * @example
 * const session = prepare(model, image);
 * const a = session.explain({ rule: 'rlrp' });
 * const b = session.explain({ rule: 'EpsilonPlusFlat', target: 3, trace: true });
 */
export function prepare(
  model: tf.LayersModel,
  input: tf.Tensor,
  options: PrepareOptions = {},
): ExplanationSession {
  const explainable = new ExplainableModel(model, options);
  try {
    return new ExplanationSession(explainable.graph, input, {
      isCurrent: () => explainable.isCurrent(),
      onDispose: () => explainable.dispose(),
    });
  } catch (error) {
    explainable.dispose();
    throw error;
  }
}

/**
 * One explanation: the input relevance of `input` for the chosen rule and target.
 *
 * The engine's form of the model (graph, folded batch norm, transposed kernels) is kept for the
 * model explained last, so explaining the same model again costs only the forward and backward
 * passes; {@link releaseExplainCache} or `model.dispose()` frees it, {@link explainCacheMemory} tells
 * what it holds and {@link setExplainCacheLimit} bounds it.
 *
 * @example
 * const { relevance } = explain(model, image, { rule: 'rlrp', target: 'predicted' });
 */
export function explain(
  model: tf.LayersModel,
  input: tf.Tensor,
  options: ExplainOptions & PrepareOptions = {},
): Explanation {
  return explainWithKeptModel(model, input, options);
}
