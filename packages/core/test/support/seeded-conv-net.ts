import * as tf from '@tensorflow/tfjs';

/** The shape of {@link seededConvNet}. */
export interface SeededConvNetOptions {
  /** Input [height, width, channels]. */
  inputShape: [number, number, number];
  /** Output units (classes). */
  classes: number;
  /** Units of a ReLU dense layer before the output one; none when omitted. */
  hidden?: number;
  /** Convolution filters (default 4). */
  filters?: number;
}

/**
 * A small seeded network of the kinds tests explain: conv 3×3 + ReLU, 2×2 max pooling, flatten,
 * an optional ReLU dense layer and the output dense layer. Seeded (glorot-normal, seeds 1, 2, 3),
 * so every run explains the same weights.
 */
export function seededConvNet(options: SeededConvNetOptions): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotNormal({ seed });
  const hidden =
    options.hidden === undefined
      ? []
      : [
          tf.layers.dense({
            units: options.hidden,
            activation: 'relu',
            kernelInitializer: init(3),
          }),
        ];
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: options.inputShape,
        filters: options.filters ?? 4,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: init(1),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      ...hidden,
      tf.layers.dense({ units: options.classes, kernelInitializer: init(2) }),
    ],
  });
}
