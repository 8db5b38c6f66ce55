import type * as tf from '@tensorflow/tfjs';
import type { PoolScoresSet } from '../engine/explain-pool-protocol';
import { SliceQueue } from '../engine/slice-queue';
import { receivedRule, type SendableRule } from '../rule-from-recipe';
import type { EvaluationProgress } from './metric-options';
import { ExplainableModel } from '../explainable-model';
import { relevanceScoresOf, type RelevanceScores } from './method-relevance';
import { imagesOfSlice, sharedImages } from './shared-images';

/**
 * A dataset to explain under `rules` on every thread of a pool: the images copied once into
 * shared memory, cut into `slices` that the threads take from `queue`.
 */
export async function shareScoresSet(
  images: tf.Tensor4D,
  rules: readonly SendableRule[],
  target: PoolScoresSet['target'],
  slices: readonly { start: number; end: number }[],
  queue: SliceQueue,
  batchSize: number | undefined,
): Promise<PoolScoresSet> {
  return {
    images: await sharedImages(images),
    shape: images.shape,
    rules,
    target,
    slices,
    queue: queue.buffer,
    batchSize,
  };
}

/**
 * The maps of every slice this thread takes from the set's queue, under each of the set's rules,
 * each slice handed to `onSlice` as soon as it is explained: what a pool's worker runs, and this
 * thread beside the workers ({@link SliceQueue.drain}: a failure stops the queue for every thread).
 */
export async function scoreTakenSlices(
  model: tf.LayersModel,
  set: PoolScoresSet,
  onSlice: (slice: number, scores: RelevanceScores[]) => void,
  onProgress?: (slice: number, progress: EvaluationProgress) => void,
): Promise<void> {
  // The rules made, and the model turned into the engine's graph, once for every slice this
  // thread takes (a recipe's factory is called here).
  const rules = set.rules.map(receivedRule);
  const explainable = new ExplainableModel(model);
  try {
    await SliceQueue.over(set.queue, set.slices.length).drain((slice) => {
      const { start, end } = set.slices[slice];
      const images = imagesOfSlice(set.images, set.shape, set.slices[slice]);
      try {
        const scores = relevanceScoresOf(explainable, images, {
          rules,
          target: Array.isArray(set.target) ? set.target.slice(start, end) : set.target,
          batchSize: set.batchSize,
          onProgress: onProgress && ((p) => onProgress(slice, p)),
        });
        onSlice(slice, scores);
      } finally {
        images.dispose();
      }
    });
  } finally {
    explainable.dispose();
  }
}
