import * as tf from '@tensorflow/tfjs';

/**
 * The first layer of the constructed-case CNNs: a bias-free ReLU Conv2D from a 4×4×1 image to 2
 * channels, whose kernel `[kernelSize, kernelSize, 1, 2]` the test then sets by hand (so that a
 * channel dies, or its taps cancel exactly).
 */
export function handSetReluConv(kernelSize: number): tf.layers.Layer {
  return tf.layers.conv2d({
    inputShape: [4, 4, 1],
    filters: 2,
    kernelSize,
    useBias: false,
    activation: 'relu',
  });
}
