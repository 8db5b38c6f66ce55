/**
 * The small classifiers the shipped models are trained from: structure, forward shapes, the
 * per-layer seeding that makes training reproducible, one-file saving, option errors, no leaks.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import {
  ArchitectureOptionError,
  SMALL_CLASSIFIERS,
  type SmallClassifierName,
  smallClassifier,
} from '../src/architectures/index';
import { saveModelToDir } from '../src/io/index';
import { expectNoTensorLeakPerTest } from './support/tensor-leak-check';
import { tempDirPerTest } from './support/temp-dir-per-test';

expectNoTensorLeakPerTest();

/** Parameter counts of the shipped 28×28×1, 10-class models (docs/models.md). */
const PARAMETERS: Record<SmallClassifierName, number> = {
  mlp: 109_386,
  cnn: 105_866,
  vgg: 117_434,
  resnet: 20_138,
};

/** He-normal and Glorot-uniform serialise as VarianceScaling with these settings. */
const HE_NORMAL = { scale: 2, mode: 'fanIn', distribution: 'normal' };
const GLOROT_UNIFORM = { scale: 1, mode: 'fanAvg', distribution: 'uniform' };

/** A layer's kernel initialiser as its config serialises it. */
function kernelInitializer(layer: tf.layers.Layer): tf.serialization.ConfigDictValue {
  const serialized = layer.getConfig().kernelInitializer;
  if (typeof serialized !== 'object' || serialized === null || Array.isArray(serialized)) {
    throw new Error(`${layer.name} has no serialised kernel initialiser`);
  }
  expect(serialized.className).toBe('VarianceScaling');
  return serialized.config;
}

describe.each(SMALL_CLASSIFIERS.map((name) => [name]))('%s', (name) => {
  it('has the shipped parameter count and runs forward to a softmax over the classes', () => {
    const model = smallClassifier(name);
    expect(model.name).toBe(name);
    expect(model.countParams()).toBe(PARAMETERS[name]);
    const output = model.layers[model.layers.length - 1];
    expect(output.name).toBe('output');
    const input = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 1);
    const { shape, sums } = tf.tidy(() => {
      const probabilities = model.predict(input) as tf.Tensor2D;
      return { shape: probabilities.shape, sums: Array.from(probabilities.sum(1).dataSync()) };
    });
    expect(shape).toEqual([2, 10]);
    sums.forEach((sum) => expect(sum).toBeCloseTo(1, 5));
    input.dispose();
    model.dispose();
  });

  it('seeds layer i with seed + i: He-normal hidden kernels, a Glorot-uniform output', () => {
    const model = smallClassifier(name, { seed: 5, inputShape: [12, 12, 3], classes: 4 });
    const kernels = model.layers.filter((layer) => 'kernelInitializer' in layer.getConfig());
    const initializers = kernels.map(kernelInitializer);
    const expected = kernels.map((_, i) => ({
      ...(i === kernels.length - 1 ? GLOROT_UNIFORM : HE_NORMAL),
      seed: 5 + i,
    }));
    expect(initializers).toEqual(expected);
    expect(model.outputs[0].shape).toEqual([null, 4]);
    model.dispose();
  });
});

it('the same seed builds the same weights, another seed other weights', () => {
  const weightsOf = (seed: number): Float32Array[] => {
    const model = smallClassifier('cnn', { seed });
    const values = model.getWeights().map((w) => w.dataSync() as Float32Array);
    model.dispose();
    return values;
  };
  const first = weightsOf(1);
  expect(weightsOf(1)).toEqual(first);
  expect(weightsOf(2)[0]).not.toEqual(first[0]);
});

describe('saved as one weights file', () => {
  const tmp = tempDirPerTest('rlrp-small-');

  it('writes model.json and weights.bin only, and loads back through weightsPath', async () => {
    const source = smallClassifier('resnet', { seed: 3 });
    const saved = await saveModelToDir(source, tmp(), { singleWeightsFile: 'weights.bin' });
    expect(fs.readdirSync(tmp()).sort()).toEqual(['model.json', 'weights.bin']);
    expect(saved.shardPaths).toEqual([path.join(tmp(), 'weights.bin')]);
    expect(fs.statSync(saved.shardPaths[0]).size).toBe(saved.weightBytes);
    const manifest = JSON.parse(fs.readFileSync(saved.modelJsonPath, 'utf8')).weightsManifest;
    expect(manifest).toHaveLength(1);
    expect(manifest[0].paths).toEqual(['weights.bin']);

    const loaded = smallClassifier('resnet', { seed: 4, weightsPath: tmp() });
    const input = tf.randomUniform([1, 28, 28, 1], 0, 1, 'float32', 2);
    const predict = (model: tf.LayersModel): number[] =>
      tf.tidy(() => Array.from((model.predict(input) as tf.Tensor).dataSync()));
    expect(predict(loaded)).toEqual(predict(source));
    input.dispose();
    source.dispose();
    loaded.dispose();
  });

  it.each(['', 'sub/weights.bin', 'model.json'])(
    'rejects the file name "%s" before writing anything',
    async (name) => {
      const model = smallClassifier('mlp');
      await expect(saveModelToDir(model, tmp(), { singleWeightsFile: name })).rejects.toThrow(
        /singleWeightsFile must be a plain file name/,
      );
      expect(fs.readdirSync(tmp())).toEqual([]);
      model.dispose();
    },
  );
});

describe('option errors', () => {
  it.each([
    [() => smallClassifier('lenet' as SmallClassifierName), /unknown architecture "lenet"/],
    [() => smallClassifier('cnn', { inputShape: [3, 3, 1] }), /at least 4/],
    [() => smallClassifier('resnet', { classes: 0 }), /classes must be a positive integer/],
  ])('%#: ArchitectureOptionError', (build, message) => {
    expect(build).toThrow(ArchitectureOptionError);
    expect(build).toThrow(message);
  });
});
