import * as tf from '@tensorflow/tfjs';
import {
  type ArchitectureOptions,
  positiveInteger,
  resolveArchitectureOptions,
} from './architecture-options';
import { KernelInitializers, withWeightsFrom } from './initial-weights';
import { softmaxClassifier } from './softmax-classifier';

/** Options of {@link vgg16} and {@link vgg19}. */
export interface VggOptions extends ArchitectureOptions {
  /**
   * Keep the classifier (flatten, fc1, fc2, predictions); default true. Without it the model ends
   * at `block5_pool`, like Keras' `include_top=False`.
   */
  readonly includeTop?: boolean;
  /** Units of fc1 and fc2; default 4096 as published. Smaller values make fast test models. */
  readonly denseUnits?: number;
}

/** Convolutions per block of each VGG variant (Simonyan & Zisserman 2015, configurations D and E). */
const CONVS_PER_BLOCK = { vgg16: [2, 2, 3, 3, 3], vgg19: [2, 2, 4, 4, 4] } as const;
const FILTERS_PER_BLOCK = [64, 128, 256, 512, 512] as const;

/**
 * VGG16 (configuration D): 13 3×3 convolutions in 5 blocks, each ending in 2×2 max pooling, then
 * two 4096-unit dense layers and a softmax classifier. Layer names are Keras' (`block1_conv1`, …,
 * `fc1`, `fc2`, `predictions`), so converted Keras weights load by name.
 *
 * Defaults: 224×224×3 input, 1000 classes (138,357,544 parameters). Random Glorot-uniform kernels,
 * zero biases, reproducible by `seed`. Height and width must be at least 32.
 *
 * Pretrained weights: convert them elsewhere (`tensorflowjs_converter --input_format=keras
 * vgg16.h5 dir`) and pass `weightsPath: dir`, or load the converted model with
 * `loadModelFromDir(dir)`.
 */
export function vgg16(options: VggOptions = {}): tf.LayersModel {
  return vgg('vgg16', options);
}

/**
 * VGG19 (configuration E): like {@link vgg16} with 16 convolutions (4 in each of blocks 3–5).
 * Defaults: 224×224×3, 1000 classes (143,667,240 parameters).
 */
export function vgg19(options: VggOptions = {}): tf.LayersModel {
  return vgg('vgg19', options);
}

function vgg(variant: keyof typeof CONVS_PER_BLOCK, options: VggOptions): tf.LayersModel {
  const resolved = resolveArchitectureOptions(
    variant,
    options,
    { inputShape: [224, 224, 3], classes: 1000 },
    32,
  );
  const denseUnits = positiveInteger(variant, 'denseUnits', options.denseUnits ?? 4096);
  const kernels = new KernelInitializers(resolved);
  const input = tf.input({ shape: resolved.inputShape, name: 'input_1' });
  let x: tf.SymbolicTensor = input;
  CONVS_PER_BLOCK[variant].forEach((convs, blockIndex) => {
    const block = `block${blockIndex + 1}`;
    for (let c = 1; c <= convs; c++) {
      x = tf.layers
        .conv2d({
          filters: FILTERS_PER_BLOCK[blockIndex],
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: kernels.next(),
          name: `${block}_conv${c}`,
        })
        .apply(x) as tf.SymbolicTensor;
    }
    x = tf.layers
      .maxPooling2d({ poolSize: 2, strides: 2, name: `${block}_pool` })
      .apply(x) as tf.SymbolicTensor;
  });
  if (options.includeTop ?? true) {
    x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
    for (const name of ['fc1', 'fc2']) {
      x = tf.layers
        .dense({ units: denseUnits, activation: 'relu', kernelInitializer: kernels.next(), name })
        .apply(x) as tf.SymbolicTensor;
    }
    x = softmaxClassifier(kernels, resolved.classes).apply(x) as tf.SymbolicTensor;
  }
  return withWeightsFrom(tf.model({ inputs: input, outputs: x, name: variant }), resolved);
}
