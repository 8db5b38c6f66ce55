import * as tf from '@tensorflow/tfjs';
import {
  type ArchitectureOptions,
  positiveInteger,
  resolveArchitectureOptions,
} from './architecture-options';
import { KernelInitializers, withWeightsFrom } from './initial-weights';
import { softmaxClassifier } from './softmax-classifier';

/** Options of {@link smallResnet}. */
export interface SmallResnetOptions extends ArchitectureOptions {
  /** Filters of the stem and the first stage; each later stage doubles them. Default 16. */
  readonly filters?: number;
  /** Number of stages; every stage after the first halves the resolution. Default 2. */
  readonly stages?: number;
  /** Residual blocks per stage. Default 1. */
  readonly blocksPerStage?: number;
}

/**
 * A small residual CNN for tests, benchmarks and notebooks: a 3×3 stem convolution with batch
 * normalisation, then `stages` stages of basic residual blocks (3×3 conv → BN → ReLU → 3×3 conv →
 * BN, added to the shortcut, then ReLU). The first block of every stage after the first has stride
 * 2 and a projection shortcut (1×1 convolution + BN); all other shortcuts are the identity. Global
 * average pooling and a softmax classifier close it.
 *
 * Defaults: 32×32×3 input, 10 classes, 16 filters, 2 stages, 1 block per stage.
 */
export function smallResnet(options: SmallResnetOptions = {}): tf.LayersModel {
  const stages = positiveInteger('smallResnet', 'stages', options.stages ?? 2);
  const filters = positiveInteger('smallResnet', 'filters', options.filters ?? 16);
  const blocksPerStage = positiveInteger(
    'smallResnet',
    'blocksPerStage',
    options.blocksPerStage ?? 1,
  );
  const resolved = resolveArchitectureOptions(
    'smallResnet',
    options,
    { inputShape: [32, 32, 3], classes: 10 },
    2 ** (stages - 1),
  );
  const kernels = new KernelInitializers(resolved);
  const conv = (x: tf.SymbolicTensor, units: number, size: number, strides: number, name: string) =>
    tf.layers
      .conv2d({
        filters: units,
        kernelSize: size,
        strides,
        padding: 'same',
        kernelInitializer: kernels.next(),
        name,
      })
      .apply(x) as tf.SymbolicTensor;
  const batchNorm = (x: tf.SymbolicTensor, name: string) =>
    tf.layers.batchNormalization({ name }).apply(x) as tf.SymbolicTensor;
  const relu = (x: tf.SymbolicTensor, name: string) =>
    tf.layers.reLU({ name }).apply(x) as tf.SymbolicTensor;

  const input = tf.input({ shape: resolved.inputShape, name: 'input' });
  let x = relu(batchNorm(conv(input, filters, 3, 1, 'stem_conv'), 'stem_bn'), 'stem_relu');
  let channels = filters;
  for (let stage = 1; stage <= stages; stage++) {
    const width = filters * 2 ** (stage - 1);
    for (let block = 1; block <= blocksPerStage; block++) {
      const name = `stage${stage}_block${block}`;
      const stride = stage > 1 && block === 1 ? 2 : 1;
      const shortcut =
        stride !== 1 || channels !== width
          ? batchNorm(conv(x, width, 1, stride, `${name}_shortcut_conv`), `${name}_shortcut_bn`)
          : x;
      let y = relu(
        batchNorm(conv(x, width, 3, stride, `${name}_conv1`), `${name}_bn1`),
        `${name}_relu1`,
      );
      y = batchNorm(conv(y, width, 3, 1, `${name}_conv2`), `${name}_bn2`);
      x = relu(
        tf.layers.add({ name: `${name}_add` }).apply([shortcut, y]) as tf.SymbolicTensor,
        `${name}_out`,
      );
      channels = width;
    }
  }
  x = tf.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as tf.SymbolicTensor;
  x = softmaxClassifier(kernels, resolved.classes).apply(x) as tf.SymbolicTensor;
  return withWeightsFrom(tf.model({ inputs: input, outputs: x, name: 'small_resnet' }), resolved);
}
