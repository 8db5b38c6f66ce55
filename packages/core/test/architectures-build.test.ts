/**
 * The paper's architectures at reduced input size: structure as published (parameter counts equal
 * Keras applications'), forward shapes, seeds, weightsPath, option errors, no tensor leaks.
 */
import * as tf from '@tensorflow/tfjs';
import * as path from 'path';
import { ModelFileError } from '../src/errors';
import {
  ArchitectureOptionError,
  mnistCnn,
  resnet50,
  smallResnet,
  vgg16,
  vgg19,
} from '../src/architectures/index';
import { saveModelToDir } from '../src/io/index';
import { expectNoTensorLeakPerTest } from './support/tensor-leak-check';
import { tempDirPerTest } from './support/temp-dir-per-test';

expectNoTensorLeakPerTest();

function predict(model: tf.LayersModel, input: tf.Tensor): { shape: number[]; values: number[] } {
  return tf.tidy(() => {
    const output = model.predict(input) as tf.Tensor;
    return { shape: output.shape, values: Array.from(output.dataSync()) };
  });
}

function classCounts(model: tf.LayersModel): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const layer of model.layers)
    counts[layer.getClassName()] = (counts[layer.getClassName()] ?? 0) + 1;
  return counts;
}

/** Parameters of Keras applications' models without the classifier (input-size independent). */
const KERAS_NOTOP_PARAMS = { vgg16: 14_714_688, vgg19: 20_024_384, resnet50: 23_587_712 };

describe.each([
  ['vgg16', vgg16, 13],
  ['vgg19', vgg19, 16],
] as const)('%s', (name, build, convolutions) => {
  it('has the published structure: parameters equal Keras’, Keras layer names', () => {
    const features = build({ inputShape: [32, 32, 3], includeTop: false });
    expect(features.countParams()).toBe(KERAS_NOTOP_PARAMS[name]);
    expect(features.outputs[0].shape).toEqual([null, 1, 1, 512]);
    features.dispose();

    const model = build({ inputShape: [32, 32, 3], classes: 5 });
    const top = 512 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 5 + 5;
    expect(model.countParams()).toBe(KERAS_NOTOP_PARAMS[name] + top);
    expect(classCounts(model)).toEqual({
      InputLayer: 1,
      Conv2D: convolutions,
      MaxPooling2D: 5,
      Flatten: 1,
      Dense: 3,
    });
    expect(model.layers.map((l) => l.name)).toEqual(
      expect.arrayContaining([
        'block1_conv1',
        'block5_pool',
        'flatten',
        'fc1',
        'fc2',
        'predictions',
      ]),
    );
    // At 224×224 with 1000 classes this is Keras' 138,357,544 (VGG16) / 143,667,240 (VGG19).
    const full =
      KERAS_NOTOP_PARAMS[name] + 25088 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 1000 + 1000;
    expect(full).toBe(name === 'vgg16' ? 138_357_544 : 143_667_240);
    model.dispose();
  });

  it('runs forward at 32×32 with 5 classes', () => {
    const model = build({ inputShape: [32, 32, 3], classes: 5 });
    const input = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 1);
    const { shape, values } = predict(model, input);
    expect(shape).toEqual([2, 5]);
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values.slice(0, 5).reduce((a, b) => a + b)).toBeCloseTo(1, 5);
    input.dispose();
    model.dispose();
  });
});

describe('resnet50', () => {
  it('has the published structure: bottlenecks with BN and projection shortcuts', () => {
    const features = resnet50({ inputShape: [32, 32, 3], includeTop: false });
    expect(features.countParams()).toBe(KERAS_NOTOP_PARAMS.resnet50);
    expect(features.outputs[0].shape).toEqual([null, 1, 1, 2048]);
    features.dispose();

    const model = resnet50({ inputShape: [64, 64, 3], classes: 4 });
    expect(model.countParams()).toBe(KERAS_NOTOP_PARAMS.resnet50 + 2048 * 4 + 4);
    // 1 stem + 16 blocks × 3 + 4 projection shortcuts = 53 convolutions, each with batch norm.
    expect(classCounts(model)).toEqual({
      InputLayer: 1,
      ZeroPadding2D: 2,
      Conv2D: 53,
      BatchNormalization: 53,
      Activation: 1 + 16 * 3,
      MaxPooling2D: 1,
      Add: 16,
      GlobalAveragePooling2D: 1,
      Dense: 1,
    });
    const projections = model.layers.filter((l) => /_0_conv$/.test(l.name)).map((l) => l.name);
    expect(projections).toEqual([
      'conv2_block1_0_conv',
      'conv3_block1_0_conv',
      'conv4_block1_0_conv',
      'conv5_block1_0_conv',
    ]);
    // The projection shortcut and the residual branch meet in the block's Add.
    const add = model.getLayer('conv3_block1_add');
    const inbound = add.inboundNodes[0].inboundLayers.map((l) => l.name);
    expect(inbound).toEqual(['conv3_block1_0_bn', 'conv3_block1_3_bn']);
    expect(
      model.getLayer('conv4_block2_add').inboundNodes[0].inboundLayers.map((l) => l.name),
    ).toEqual(['conv4_block1_out', 'conv4_block2_3_bn']);
    expect(KERAS_NOTOP_PARAMS.resnet50 + 2048 * 1000 + 1000).toBe(25_636_712);
    model.dispose();
  });

  it('runs forward at 64×64 with 4 classes', () => {
    const model = resnet50({ inputShape: [64, 64, 3], classes: 4 });
    const input = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 2);
    const { shape, values } = predict(model, input);
    expect(shape).toEqual([2, 4]);
    expect(values.every(Number.isFinite)).toBe(true);
    input.dispose();
    model.dispose();
  });
});

describe('small models', () => {
  it('mnistCnn: 28×28×1 → 10 classes, Sequential, 225,034 parameters', () => {
    const model = mnistCnn();
    expect(model).toBeInstanceOf(tf.Sequential);
    expect(model.countParams()).toBe(225_034);
    const input = tf.zeros([3, 28, 28, 1]);
    expect(predict(model, input).shape).toEqual([3, 10]);
    input.dispose();
    model.dispose();
  });

  it('smallResnet: residual blocks with BN and a projection shortcut', () => {
    const model = smallResnet({
      inputShape: [16, 16, 3],
      classes: 7,
      stages: 2,
      blocksPerStage: 2,
    });
    const counts = classCounts(model);
    expect(counts.Add).toBe(4);
    expect(counts.BatchNormalization).toBe(1 + 4 * 2 + 1);
    expect(model.layers.map((l) => l.name)).toContain('stage2_block1_shortcut_conv');
    expect(model.layers.map((l) => l.name)).not.toContain('stage1_block1_shortcut_conv');
    const input = tf.ones([2, 16, 16, 3]);
    expect(predict(model, input).shape).toEqual([2, 7]);
    input.dispose();
    model.dispose();
  });

  it('the same seed builds the same weights, another seed other weights', () => {
    const weightsOf = (seed: number): number[][] => {
      const model = mnistCnn({ seed });
      const values = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return values;
    };
    const a = weightsOf(3);
    expect(weightsOf(3)).toEqual(a);
    expect(weightsOf(4)[0]).not.toEqual(a[0]);
    // Every layer gets its own seed: two kernels of one model differ.
    expect(a[0].slice(0, 9)).not.toEqual(a[2].slice(0, 9));
  });
});

describe('weightsPath', () => {
  const tmp = tempDirPerTest('rlrp-arch-');

  it('loads converted weights by layer name', async () => {
    const source = smallResnet({ seed: 1 });
    await saveModelToDir(source, tmp());
    const loaded = smallResnet({ seed: 2, weightsPath: tmp() });
    const input = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 3);
    expect(predict(loaded, input)).toEqual(predict(source, input));
    input.dispose();
    source.dispose();
    loaded.dispose();
  });

  it('weights of other options: ModelFileError, and the half-built model is released', async () => {
    const source = mnistCnn({ classes: 10 });
    await saveModelToDir(source, tmp());
    source.dispose();
    expect(() => mnistCnn({ classes: 3, weightsPath: tmp() })).toThrow(ModelFileError);
    expect(() => mnistCnn({ weightsPath: path.join(tmp(), 'missing') })).toThrow(/not found/);
  });
});

describe('option errors', () => {
  it.each([
    [() => vgg16({ inputShape: [16, 16, 3] }), /at least 32/],
    [
      () => resnet50({ inputShape: [224, 224] as unknown as [number, number, number] }),
      /three positive integers/,
    ],
    [() => vgg19({ classes: 0 }), /classes must be a positive integer/],
    [() => smallResnet({ stages: 0 }), /stages must be a positive integer/],
    [() => mnistCnn({ dropout: 1 }), /dropout must be in \[0, 1\)/],
    [() => vgg16({ denseUnits: 2.5 }), /denseUnits must be a positive integer/],
  ])('%#: ArchitectureOptionError', (build, message) => {
    expect(build).toThrow(ArchitectureOptionError);
    expect(build).toThrow(message);
  });
});
