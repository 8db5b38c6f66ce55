import * as tf from '@tensorflow/tfjs';
import {
  ArchitectureOptionError,
  type ArchitectureOptions,
  type ResolvedArchitectureOptions,
  resolveArchitectureOptions,
} from './architecture-options';
import { KernelInitializers, withWeightsFrom } from './initial-weights';
import { softmaxClassifier } from './softmax-classifier';

/** Names of the small classifiers, the architectures of the models shipped in `models/`. */
export type SmallClassifierName = 'mlp' | 'cnn' | 'vgg' | 'resnet';

/** All small classifier names, in the order tables list them. */
export const SMALL_CLASSIFIERS: readonly SmallClassifierName[] = ['mlp', 'cnn', 'vgg', 'resnet'];

/** Options of {@link smallClassifier}; defaults 28×28×1 input, 10 classes, seed 0. */
export type SmallClassifierOptions = ArchitectureOptions;

/**
 * Moving-average momentum of the ResNet's batch-normalisation statistics. Keras' default 0.99
 * needs thousands of steps to forget its initial (0, 1) statistics; short training runs (a few
 * hundred batches) then classify the test set with stale statistics (MNIST ResNet: 59.6 % test vs
 * 85 % train accuracy). 0.9 converges within a few dozen batches.
 */
const BN_MOMENTUM = 0.9;

/**
 * Smallest height/width each classifier takes: the CNN and VGG pool twice before flattening, the
 * ResNet pools once and then strides once with 'same' padding.
 */
const MIN_SIDE: Readonly<Record<SmallClassifierName, number>> = {
  mlp: 1,
  cnn: 4,
  vgg: 4,
  resnet: 2,
};

/**
 * One of the four small classifiers the shipped models (`models/<dataset>-<name>`) are trained
 * from, untrained. Hidden kernels are He-normal and the output kernel Glorot-uniform, with the
 * per-layer seeds `seed, seed + 1, …`, so `src/train/train.ts` rebuilds a shipped model's initial
 * weights exactly. Each ends in a Dense softmax layer named `output`:
 *
 * - `mlp`: flatten → dense 128 ReLU → dense 64 ReLU → dense classes.
 * - `cnn`: conv 3×3×16 ReLU → max pool 2 → conv 3×3×32 ReLU → max pool 2 → dense 64 ReLU → dense.
 * - `vgg`: two blocks of two 3×3 convolutions (16, then 32 filters) and a max pool, dense 64, dense.
 * - `resnet`: conv 3×3×16 + batch norm + ReLU → max pool 2 → a residual block (16, identity
 *   shortcut) → a residual block (32, stride 2, projection shortcut) → global average pool → dense.
 *
 * @throws ArchitectureOptionError naming an unknown architecture or a bad option.
 */
export function smallClassifier(
  architecture: SmallClassifierName,
  options: SmallClassifierOptions = {},
): tf.LayersModel {
  if (!SMALL_CLASSIFIERS.includes(architecture)) {
    throw new ArchitectureOptionError(
      `smallClassifier: unknown architecture "${String(architecture)}"; use one of ${SMALL_CLASSIFIERS.join(', ')}.`,
    );
  }
  const resolved = resolveArchitectureOptions(
    `smallClassifier('${architecture}')`,
    options,
    { inputShape: [28, 28, 1], classes: 10 },
    MIN_SIDE[architecture],
  );
  // Stride 1: the shipped models were trained with the per-layer seeds seed, seed + 1, …
  const kernels = new KernelInitializers(resolved, 1);
  const builders: Record<SmallClassifierName, () => tf.LayersModel> = {
    mlp: () => buildMlp(resolved, kernels),
    cnn: () => buildConvNet('cnn', CNN_BLOCKS, 'dense_1', resolved, kernels),
    vgg: () => buildConvNet('vgg', VGG_BLOCKS, 'fc_1', resolved, kernels),
    resnet: () => buildResnet(resolved, kernels),
  };
  return withWeightsFrom(builders[architecture](), resolved);
}

/** A 3×3 (or `kernelSize`) convolution with 'same' padding and a He-normal kernel. */
function conv(
  kernels: KernelInitializers,
  filters: number,
  name: string,
  strides = 1,
  kernelSize = 3,
  activation: 'relu' | 'linear' = 'relu',
): tf.layers.Layer {
  return tf.layers.conv2d({
    filters,
    kernelSize,
    strides,
    padding: 'same',
    activation,
    kernelInitializer: kernels.next('heNormal'),
    name,
  });
}

function hiddenDense(kernels: KernelInitializers, units: number, name: string): tf.layers.Layer {
  return tf.layers.dense({
    units,
    activation: 'relu',
    kernelInitializer: kernels.next('heNormal'),
    name,
  });
}

function buildMlp(spec: ResolvedArchitectureOptions, kernels: KernelInitializers): tf.LayersModel {
  const model = tf.sequential({ name: 'mlp' });
  // Unnamed, as when the shipped MLPs were trained: their model.json names it flatten_Flatten1.
  model.add(tf.layers.flatten({ inputShape: spec.inputShape }));
  model.add(hiddenDense(kernels, 128, 'dense_1'));
  model.add(hiddenDense(kernels, 64, 'dense_2'));
  model.add(softmaxClassifier(kernels, spec.classes, 'output'));
  return model;
}

/** Convolutions of one block of a plain conv net, closed by a 2×2 max pool. */
interface ConvBlock {
  readonly filters: number;
  readonly convs: readonly string[];
  readonly pool: string;
}

const CNN_BLOCKS: readonly ConvBlock[] = [
  { filters: 16, convs: ['conv_1'], pool: 'pool_1' },
  { filters: 32, convs: ['conv_2'], pool: 'pool_2' },
];

const VGG_BLOCKS: readonly ConvBlock[] = [16, 32].map((filters, i) => ({
  filters,
  convs: [`block${i + 1}_conv1`, `block${i + 1}_conv2`],
  pool: `block${i + 1}_pool`,
}));

/** The CNN and the VGG: conv blocks, flatten, dense 64 ReLU, the classifier. */
function buildConvNet(
  name: string,
  blocks: readonly ConvBlock[],
  denseName: string,
  spec: ResolvedArchitectureOptions,
  kernels: KernelInitializers,
): tf.LayersModel {
  const model = tf.sequential({ name });
  model.add(tf.layers.inputLayer({ inputShape: spec.inputShape, name: 'input' }));
  for (const block of blocks) {
    for (const convName of block.convs) model.add(conv(kernels, block.filters, convName));
    model.add(tf.layers.maxPooling2d({ poolSize: 2, name: block.pool }));
  }
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(hiddenDense(kernels, 64, denseName));
  model.add(softmaxClassifier(kernels, spec.classes, 'output'));
  return model;
}

function batchNorm(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  return tf.layers
    .batchNormalization({ momentum: BN_MOMENTUM, name })
    .apply(x) as tf.SymbolicTensor;
}

function relu(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  return tf.layers.reLU({ name }).apply(x) as tf.SymbolicTensor;
}

/**
 * conv-BN-ReLU-conv-BN added to the shortcut, then ReLU. When the block changes the resolution or
 * the width, the shortcut is a projection (1×1 strided conv + BN). The main path's kernels are
 * drawn before the projection's, the order the shipped ResNets were seeded in.
 */
function residualBlock(
  kernels: KernelInitializers,
  input: tf.SymbolicTensor,
  inFilters: number,
  filters: number,
  strides: number,
  name: string,
): tf.SymbolicTensor {
  const linearConv = (x: tf.SymbolicTensor, suffix: string, stride: number, size: number) =>
    conv(kernels, filters, `${name}_${suffix}`, stride, size, 'linear').apply(
      x,
    ) as tf.SymbolicTensor;
  let main = relu(
    batchNorm(linearConv(input, 'conv1', strides, 3), `${name}_bn1`),
    `${name}_relu1`,
  );
  main = batchNorm(linearConv(main, 'conv2', 1, 3), `${name}_bn2`);
  const shortcut =
    strides !== 1 || inFilters !== filters
      ? batchNorm(linearConv(input, 'proj', strides, 1), `${name}_proj_bn`)
      : input;
  const sum = tf.layers.add({ name: `${name}_add` }).apply([main, shortcut]) as tf.SymbolicTensor;
  return relu(sum, `${name}_out`);
}

function buildResnet(
  spec: ResolvedArchitectureOptions,
  kernels: KernelInitializers,
): tf.LayersModel {
  const input = tf.input({ shape: spec.inputShape, name: 'input' });
  let x = conv(kernels, 16, 'stem_conv', 1, 3, 'linear').apply(input) as tf.SymbolicTensor;
  x = relu(batchNorm(x, 'stem_bn'), 'stem_relu');
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'stem_pool' }).apply(x) as tf.SymbolicTensor;
  x = residualBlock(kernels, x, 16, 16, 1, 'block1');
  x = residualBlock(kernels, x, 16, 32, 2, 'block2');
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  const output = softmaxClassifier(kernels, spec.classes, 'output').apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'resnet' });
}
