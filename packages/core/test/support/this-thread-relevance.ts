import * as tf from '@tensorflow/tfjs';
import { explain } from '../../src/explain';
import { releaseExplainCache } from '../../src/recent-model';

/**
 * What a pool's workers are checked against: the relevance this thread gives `x`, and how far a
 * worker's is from it.
 */

/** The relevance of `x` explained in this thread (its explanation cache released after). */
export function inThisThread(
  model: tf.LayersModel,
  x: tf.Tensor,
  target: number | number[],
  rule: 'EpsilonPlusFlat' | 'rlrp' = 'EpsilonPlusFlat',
): Float32Array {
  const e = explain(model, x, { rule, target });
  const values = e.relevance.dataSync() as Float32Array;
  e.dispose();
  releaseExplainCache();
  return values;
}

/** The largest absolute difference between a pool's relevance and this thread's. */
export function largestDifference(relevance: tf.Tensor, expected: Float32Array): number {
  const got = relevance.dataSync();
  let worst = 0;
  got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected[i]))));
  return worst;
}

/** The largest magnitude of `values`. */
export function largestMagnitude(values: Float32Array): number {
  return values.reduce((worst, v) => Math.max(worst, Math.abs(v)), 0);
}
