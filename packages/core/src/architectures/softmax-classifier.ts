import * as tf from '@tensorflow/tfjs';
import type { KernelInitializers } from './initial-weights';

/**
 * The layer every architecture ends in: a dense softmax over the classes with a seeded
 * Glorot-uniform kernel (the relevance engine strips the softmax and explains the logits).
 *
 * @param name - Keras' `predictions` unless a shipped model fixed another name.
 */
export function softmaxClassifier(
  kernels: KernelInitializers,
  classes: number,
  name = 'predictions',
): tf.layers.Layer {
  return tf.layers.dense({
    units: classes,
    activation: 'softmax',
    kernelInitializer: kernels.next('glorotUniform'),
    name,
  });
}
