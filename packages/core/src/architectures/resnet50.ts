import * as tf from '@tensorflow/tfjs';
import { type ArchitectureOptions, resolveArchitectureOptions } from './architecture-options';
import { KernelInitializers, withWeightsFrom } from './initial-weights';
import { softmaxClassifier } from './softmax-classifier';

/** Options of {@link resnet50}. */
export interface ResNet50Options extends ArchitectureOptions {
  /**
   * Keep the classifier (global average pooling and `predictions`); default true. Without it the
   * model ends at `conv5_block3_out`, like Keras' `include_top=False`.
   */
  readonly includeTop?: boolean;
}

/** Keras' batch-normalisation epsilon in ResNet (1.001e-5, not the layer default 1e-3). */
const BN_EPSILON = 1.001e-5;

/** Stages conv2…conv5: bottleneck width, number of blocks, stride of the first block. */
const STAGES = [
  { name: 'conv2', filters: 64, blocks: 3, stride: 1 },
  { name: 'conv3', filters: 128, blocks: 4, stride: 2 },
  { name: 'conv4', filters: 256, blocks: 6, stride: 2 },
  { name: 'conv5', filters: 512, blocks: 3, stride: 2 },
] as const;

/**
 * ResNet-50 v1 (He et al. 2016) as in Keras applications: a 7×7/2 stem convolution with batch
 * normalisation and 3×3/2 max pooling, then 16 bottleneck blocks (1×1 → 3×3 → 1×1 convolutions,
 * each followed by batch normalisation) in four stages; the first block of each stage has a
 * projection shortcut (1×1 convolution + batch normalisation), the others the identity. Global
 * average pooling and a softmax classifier close it. Layer names are Keras' (`conv1_conv`,
 * `conv2_block1_0_conv`, …, `predictions`), so converted Keras weights load by name.
 *
 * Defaults: 224×224×3 input, 1000 classes (25,636,712 parameters); height and width at least 32.
 * Random Glorot-uniform kernels, zero biases and Keras' batch-norm initial statistics, reproducible
 * by `seed`.
 */
export function resnet50(options: ResNet50Options = {}): tf.LayersModel {
  const resolved = resolveArchitectureOptions(
    'resnet50',
    options,
    { inputShape: [224, 224, 3], classes: 1000 },
    32,
  );
  const kernels = new KernelInitializers(resolved);
  const conv = (
    x: tf.SymbolicTensor,
    filters: number,
    kernelSize: number,
    strides: number,
    name: string,
    padding: 'valid' | 'same' = 'valid',
  ): tf.SymbolicTensor =>
    tf.layers
      .conv2d({ filters, kernelSize, strides, padding, kernelInitializer: kernels.next(), name })
      .apply(x) as tf.SymbolicTensor;
  const batchNorm = (x: tf.SymbolicTensor, name: string): tf.SymbolicTensor =>
    tf.layers
      .batchNormalization({ axis: 3, epsilon: BN_EPSILON, name })
      .apply(x) as tf.SymbolicTensor;
  const relu = (x: tf.SymbolicTensor, name: string): tf.SymbolicTensor =>
    tf.layers.activation({ activation: 'relu', name }).apply(x) as tf.SymbolicTensor;

  const bottleneck = (
    x: tf.SymbolicTensor,
    filters: number,
    stride: number,
    projection: boolean,
    name: string,
  ): tf.SymbolicTensor => {
    const shortcut = projection
      ? batchNorm(conv(x, 4 * filters, 1, stride, `${name}_0_conv`), `${name}_0_bn`)
      : x;
    let y = relu(
      batchNorm(conv(x, filters, 1, stride, `${name}_1_conv`), `${name}_1_bn`),
      `${name}_1_relu`,
    );
    y = relu(
      batchNorm(conv(y, filters, 3, 1, `${name}_2_conv`, 'same'), `${name}_2_bn`),
      `${name}_2_relu`,
    );
    y = batchNorm(conv(y, 4 * filters, 1, 1, `${name}_3_conv`), `${name}_3_bn`);
    const sum = tf.layers.add({ name: `${name}_add` }).apply([shortcut, y]) as tf.SymbolicTensor;
    return relu(sum, `${name}_out`);
  };

  const input = tf.input({ shape: resolved.inputShape, name: 'input_1' });
  let x = tf.layers
    .zeroPadding2d({ padding: 3, name: 'conv1_pad' })
    .apply(input) as tf.SymbolicTensor;
  x = relu(batchNorm(conv(x, 64, 7, 2, 'conv1_conv'), 'conv1_bn'), 'conv1_relu');
  x = tf.layers.zeroPadding2d({ padding: 1, name: 'pool1_pad' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1_pool' })
    .apply(x) as tf.SymbolicTensor;
  for (const stage of STAGES) {
    for (let block = 1; block <= stage.blocks; block++) {
      const first = block === 1;
      x = bottleneck(
        x,
        stage.filters,
        first ? stage.stride : 1,
        first,
        `${stage.name}_block${block}`,
      );
    }
  }
  if (options.includeTop ?? true) {
    x = tf.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as tf.SymbolicTensor;
    x = softmaxClassifier(kernels, resolved.classes).apply(x) as tf.SymbolicTensor;
  }
  return withWeightsFrom(tf.model({ inputs: input, outputs: x, name: 'resnet50' }), resolved);
}
