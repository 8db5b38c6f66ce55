import * as tf from '@tensorflow/tfjs';

/** Gives `layer` the weights `values` (copied by tfjs) and disposes them. */
export function setLayerWeights(layer: tf.layers.Layer, values: tf.Tensor[]): void {
  layer.setWeights(values);
  tf.dispose(values);
}
