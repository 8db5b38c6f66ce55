/**
 * The four small architectures the shipped models use. Every initializer has a fixed seed, so a
 * training run is reproducible bit for bit on the same backend. Each model ends in a Dense layer with
 * softmax (the relevance engine strips the softmax and explains the logits).
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Moving-average momentum of the BatchNormalization statistics. Keras' default 0.99 needs thousands of
 * steps to forget its initial (0, 1) statistics; our short runs (a few hundred batches) then classify
 * the test set with stale statistics (MNIST ResNet: 59.6 % test vs 85 % train accuracy). 0.9 converges
 * within a few dozen batches.
 */
const BN_MOMENTUM = 0.9;

/** Names of the shipped architectures. */
export type ArchitectureName = 'mlp' | 'cnn' | 'vgg' | 'resnet';

/** All architecture names, in the order tables list them. */
export const ARCHITECTURES: readonly ArchitectureName[] = ['mlp', 'cnn', 'vgg', 'resnet'];

/** Shape of one input image and the number of classes. */
export interface ArchitectureInput {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly classes: number;
  /** Base seed; each layer derives its own from it. */
  readonly seed: number;
}

/** Hands out a distinct seeded initializer per layer. */
class SeededInitializers {
  private next: number;
  constructor(seed: number) {
    this.next = seed;
  }
  kernel(): ReturnType<typeof tf.initializers.heNormal> {
    return tf.initializers.heNormal({ seed: this.next++ });
  }
  output(): ReturnType<typeof tf.initializers.heNormal> {
    return tf.initializers.glorotUniform({ seed: this.next++ });
  }
}

function conv(
  init: SeededInitializers,
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
    kernelInitializer: init.kernel(),
    name,
  });
}

/** MLP: dense layers only. Flatten → 128 → 64 → classes. */
function buildMlp(spec: ArchitectureInput): tf.LayersModel {
  const init = new SeededInitializers(spec.seed);
  const model = tf.sequential({ name: 'mlp' });
  model.add(tf.layers.flatten({ inputShape: [spec.height, spec.width, spec.channels] }));
  model.add(
    tf.layers.dense({
      units: 128,
      activation: 'relu',
      kernelInitializer: init.kernel(),
      name: 'dense_1',
    }),
  );
  model.add(
    tf.layers.dense({
      units: 64,
      activation: 'relu',
      kernelInitializer: init.kernel(),
      name: 'dense_2',
    }),
  );
  model.add(
    tf.layers.dense({
      units: spec.classes,
      activation: 'softmax',
      kernelInitializer: init.output(),
      name: 'output',
    }),
  );
  return model;
}

/** Simple CNN: conv16 → maxpool → conv32 → maxpool → dense 64 → classes. */
function buildCnn(spec: ArchitectureInput): tf.LayersModel {
  const init = new SeededInitializers(spec.seed);
  const model = tf.sequential({ name: 'cnn' });
  model.add(
    tf.layers.inputLayer({ inputShape: [spec.height, spec.width, spec.channels], name: 'input' }),
  );
  model.add(conv(init, 16, 'conv_1'));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool_1' }));
  model.add(conv(init, 32, 'conv_2'));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool_2' }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(
    tf.layers.dense({
      units: 64,
      activation: 'relu',
      kernelInitializer: init.kernel(),
      name: 'dense_1',
    }),
  );
  model.add(
    tf.layers.dense({
      units: spec.classes,
      activation: 'softmax',
      kernelInitializer: init.output(),
      name: 'output',
    }),
  );
  return model;
}

/** VGG-style: two blocks of two 3×3 convs and a max-pool each, then two dense layers. */
function buildVgg(spec: ArchitectureInput): tf.LayersModel {
  const init = new SeededInitializers(spec.seed);
  const model = tf.sequential({ name: 'vgg' });
  model.add(
    tf.layers.inputLayer({ inputShape: [spec.height, spec.width, spec.channels], name: 'input' }),
  );
  model.add(conv(init, 16, 'block1_conv1'));
  model.add(conv(init, 16, 'block1_conv2'));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'block1_pool' }));
  model.add(conv(init, 32, 'block2_conv1'));
  model.add(conv(init, 32, 'block2_conv2'));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'block2_pool' }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(
    tf.layers.dense({
      units: 64,
      activation: 'relu',
      kernelInitializer: init.kernel(),
      name: 'fc_1',
    }),
  );
  model.add(
    tf.layers.dense({
      units: spec.classes,
      activation: 'softmax',
      kernelInitializer: init.output(),
      name: 'output',
    }),
  );
  return model;
}

/**
 * One residual block: conv-BN-ReLU-conv-BN added to the shortcut, then ReLU. When the block changes
 * the resolution or the width, the shortcut is a projection (1×1 strided conv + BN).
 */
function residualBlock(
  init: SeededInitializers,
  input: tf.SymbolicTensor,
  inFilters: number,
  filters: number,
  strides: number,
  name: string,
): tf.SymbolicTensor {
  let main = conv(init, filters, `${name}_conv1`, strides, 3, 'linear').apply(
    input,
  ) as tf.SymbolicTensor;
  main = tf.layers
    .batchNormalization({ momentum: BN_MOMENTUM, name: `${name}_bn1` })
    .apply(main) as tf.SymbolicTensor;
  main = tf.layers.reLU({ name: `${name}_relu1` }).apply(main) as tf.SymbolicTensor;
  main = conv(init, filters, `${name}_conv2`, 1, 3, 'linear').apply(main) as tf.SymbolicTensor;
  main = tf.layers
    .batchNormalization({ momentum: BN_MOMENTUM, name: `${name}_bn2` })
    .apply(main) as tf.SymbolicTensor;
  let shortcut = input;
  if (strides !== 1 || inFilters !== filters) {
    shortcut = conv(init, filters, `${name}_proj`, strides, 1, 'linear').apply(
      input,
    ) as tf.SymbolicTensor;
    shortcut = tf.layers
      .batchNormalization({ momentum: BN_MOMENTUM, name: `${name}_proj_bn` })
      .apply(shortcut) as tf.SymbolicTensor;
  }
  const sum = tf.layers.add({ name: `${name}_add` }).apply([main, shortcut]) as tf.SymbolicTensor;
  return tf.layers.reLU({ name: `${name}_out` }).apply(sum) as tf.SymbolicTensor;
}

/** Small ResNet: stem conv16+BN, an identity block (16), a projection block (32, stride 2), GAP, dense. */
function buildResnet(spec: ArchitectureInput): tf.LayersModel {
  const init = new SeededInitializers(spec.seed);
  const input = tf.input({ shape: [spec.height, spec.width, spec.channels], name: 'input' });
  let x = conv(init, 16, 'stem_conv', 1, 3, 'linear').apply(input) as tf.SymbolicTensor;
  x = tf.layers
    .batchNormalization({ momentum: BN_MOMENTUM, name: 'stem_bn' })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'stem_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'stem_pool' }).apply(x) as tf.SymbolicTensor;
  x = residualBlock(init, x, 16, 16, 1, 'block1');
  x = residualBlock(init, x, 16, 32, 2, 'block2');
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers
    .dense({
      units: spec.classes,
      activation: 'softmax',
      kernelInitializer: init.output(),
      name: 'output',
    })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'resnet' });
}

/** Build an untrained model of the named architecture. */
export function buildArchitecture(name: ArchitectureName, spec: ArchitectureInput): tf.LayersModel {
  switch (name) {
    case 'mlp':
      return buildMlp(spec);
    case 'cnn':
      return buildCnn(spec);
    case 'vgg':
      return buildVgg(spec);
    case 'resnet':
      return buildResnet(spec);
  }
}
