/**
 * Model files: save → load round trips, and every kind of damaged file, written for real to a
 * temporary directory, gives a ModelFileError that names the problem.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import { ModelFileError } from '../src/errors';
import {
  findJsonErrorPosition,
  loadModelFromDir,
  loadWeightsFromDir,
  saveModelToDir,
} from '../src/io/index';
import { expectNoTensorLeakPerTest } from './support/tensor-leak-check';
import { tempDirPerTest } from './support/temp-dir-per-test';

/** A small functional model with the weight kinds that matter: conv, batch norm, dense. */
function smallModel(prefix = '', classes = 3): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 2] });
  let x = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: `${prefix}conv` })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: `${prefix}bn` }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: classes, name: `${prefix}dense` }).apply(x);
  const model = tf.model({ inputs: input, outputs: output as tf.SymbolicTensor });
  // Non-trivial batch-norm statistics, so the round trip checks all four BN weights.
  tf.tidy(() =>
    model.getLayer(`${prefix}bn`).setWeights(
      model
        .getLayer(`${prefix}bn`)
        .getWeights()
        .map((w, i) => tf.randomUniform(w.shape, i === 3 ? 0.5 : -1, 1.5, 'float32', 7 + i)),
    ),
  );
  return model;
}

function predict(model: tf.LayersModel, input: tf.Tensor): Float32Array {
  return tf.tidy(() => (model.predict(input) as tf.Tensor).dataSync() as Float32Array);
}

expectNoTensorLeakPerTest();
const tmp = tempDirPerTest('rlrp-io-');

/** Saves the small model in shards of 256 bytes (its 863 weights, 3452 bytes → 14 shards). */
async function savedSmallModel(dir = path.join(tmp(), 'model')): Promise<string> {
  const model = smallModel();
  const saved = await saveModelToDir(model, dir, { shardBytes: 256 });
  model.dispose();
  expect(saved.shardPaths.map((p) => path.basename(p))).toEqual(
    Array.from({ length: 14 }, (_, i) => `group1-shard${i + 1}of14.bin`),
  );
  return dir;
}

async function loadError(dirOrFile: string): Promise<ModelFileError> {
  const error = await loadModelFromDir(dirOrFile).then(
    (model) => {
      model.dispose();
      return new Error('loaded without error');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelFileError);
  return error as ModelFileError;
}

describe('round trip', () => {
  it('save → load gives the same predictions, from the directory or from model.json', async () => {
    const model = smallModel();
    const input = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 1);
    const dir = path.join(tmp(), 'nested', 'model');
    const saved = await saveModelToDir(model, dir, { shardBytes: 256 });
    expect(saved.shardPaths).toHaveLength(Math.ceil(saved.weightBytes / 256));
    expect(saved.shardPaths.length).toBeGreaterThan(2);
    for (const shard of saved.shardPaths) expect(fs.existsSync(shard)).toBe(true);
    expect(saved.weightBytes).toBe(model.countParams() * 4);

    for (const source of [dir, saved.modelJsonPath]) {
      const loaded = await loadModelFromDir(source);
      expect(loaded.layers.map((l) => l.getClassName())).toEqual(
        model.layers.map((l) => l.getClassName()),
      );
      expect(predict(loaded, input)).toEqual(predict(model, input));
      loaded.dispose();
    }
    model.dispose();
    input.dispose();
  });

  it('reports progress per shard while loading', async () => {
    const dir = await savedSmallModel();
    const fractions: number[] = [];
    const model = await loadModelFromDir(dir, { onProgress: (f) => fractions.push(f) });
    model.dispose();
    expect(fractions).toHaveLength(14);
    expect(fractions[0]).toBeCloseTo(1 / 14);
    expect(fractions[13]).toBe(1);
  });

  it('reads a Keras-converted model.json (topology wrapped in model_config)', async () => {
    const model = smallModel();
    const input = tf.randomNormal([1, 8, 8, 2], 0, 1, 'float32', 5);
    const saved = await saveModelToDir(model, tmp());
    const json = JSON.parse(fs.readFileSync(saved.modelJsonPath, 'utf8'));
    json.modelTopology = {
      keras_version: '2.15.0',
      backend: 'tensorflow',
      model_config: json.modelTopology,
    };
    json.convertedBy = 'TensorFlow.js Converter v4.22.0';
    fs.writeFileSync(saved.modelJsonPath, JSON.stringify(json));
    const loaded = await loadModelFromDir(tmp());
    expect(predict(loaded, input)).toEqual(predict(model, input));
    loaded.dispose();
    model.dispose();
    input.dispose();
  });

  it('writes one shard of at most 4 MiB by default, named like tensorflowjs_converter', async () => {
    const model = smallModel();
    const saved = await saveModelToDir(model, tmp());
    model.dispose();
    expect(saved.shardPaths.map((p) => path.basename(p))).toEqual(['group1-shard1of1.bin']);
    const json = JSON.parse(fs.readFileSync(saved.modelJsonPath, 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toContain(
      'bn/moving_variance',
    );
  });

  it('loadWeightsFromDir fills a built model by name, or by order when names differ', async () => {
    const dir = await savedSmallModel();
    const input = tf.randomNormal([1, 8, 8, 2], 0, 1, 'float32', 2);
    const reference = await loadModelFromDir(dir);
    const expected = predict(reference, input);
    reference.dispose();

    const sameNames = smallModel();
    expect(loadWeightsFromDir(sameNames, dir)).toBe('by-name');
    expect(predict(sameNames, input)).toEqual(expected);
    sameNames.dispose();

    const otherNames = smallModel('renamed_');
    expect(loadWeightsFromDir(otherNames, path.join(dir, 'model.json'))).toBe('by-order');
    expect(predict(otherNames, input)).toEqual(expected);
    otherNames.dispose();
    input.dispose();
  });
});

describe('missing files', () => {
  it('a missing directory', async () => {
    const error = await loadError(path.join(tmp(), 'nope'));
    expect(error.message).toMatch(/Model directory or file not found/);
    expect(error.path).toBe(path.join(tmp(), 'nope'));
  });

  it('a directory without model.json names the JSON files it holds', async () => {
    fs.writeFileSync(path.join(tmp(), 'my-model.json'), '{}');
    const error = await loadError(tmp());
    expect(error.message).toMatch(/has no model\.json/);
    expect(error.message).toContain('my-model.json');
  });

  it('a missing shard is named', async () => {
    const dir = await savedSmallModel();
    fs.rmSync(path.join(dir, 'group1-shard3of14.bin'));
    const error = await loadError(dir);
    expect(error.message).toMatch(
      /Weight shard "group1-shard3of14.bin" listed in model.json is missing/,
    );
  });
});

describe('malformed JSON', () => {
  it('a truncated model.json: position at the end, "cut off"', async () => {
    const dir = await savedSmallModel();
    const file = path.join(dir, 'model.json');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.slice(0, 300));
    const error = await loadError(dir);
    expect(error.message).toContain('not valid JSON at line 1, column 301 (character 300 of 300)');
    expect(error.message).toMatch(/cut off/);
  });

  it('a stray character: its line and column', async () => {
    fs.writeFileSync(
      path.join(tmp(), 'model.json'),
      '{\n  "format": "layers-model",\n  "x": tru\n}',
    );
    const error = await loadError(tmp());
    expect(error.message).toContain('at line 3, column 11 (character 40 of 42)');
    expect(error.message).toContain("Unexpected token '\\n'");
  });

  it('findJsonErrorPosition agrees with JSON.parse on valid and invalid texts', () => {
    const valid = ['{}', '[1, -2.5e3, "a\\u00e9\\n", true, false, null]', ' {"a": {"b": []}} '];
    for (const text of valid) expect(findJsonErrorPosition(text)).toBeUndefined();
    expect(findJsonErrorPosition('{"a": 1,, }')?.offset).toBe(8);
    expect(findJsonErrorPosition('{"a": [1, 2')?.offset).toBe(11);
    expect(findJsonErrorPosition('')?.offset).toBe(0);
    expect(findJsonErrorPosition('{} x')?.offset).toBe(3);
    expect(findJsonErrorPosition('01')?.offset).toBe(1);
  });
});

describe('not a layers model', () => {
  it('a graph model says so and how to convert', async () => {
    const graphModel = {
      format: 'graph-model',
      generatedBy: '2.15.0',
      convertedBy: 'TensorFlow.js Converter v4.22.0',
      modelTopology: {
        node: [{ name: 'x', op: 'Placeholder' }],
        library: {},
        versions: { producer: 1 },
      },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [] }],
    };
    fs.writeFileSync(path.join(tmp(), 'model.json'), JSON.stringify(graphModel));
    const error = await loadError(tmp());
    expect(error.message).toMatch(/graph model/);
    expect(error.message).toContain('tensorflowjs_converter --input_format=keras');
  });

  it('some other JSON object', async () => {
    fs.writeFileSync(
      path.join(tmp(), 'model.json'),
      JSON.stringify({ name: 'package', version: '1.0.0' }),
    );
    expect((await loadError(tmp())).message).toMatch(/no "modelTopology"/);
  });

  it('a malformed weights manifest', async () => {
    const dir = await savedSmallModel();
    const file = path.join(dir, 'model.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    json.weightsManifest[0].weights[2].shape = [3, 'x'];
    fs.writeFileSync(file, JSON.stringify(json));
    expect((await loadError(dir)).message).toMatch(
      /"weightsManifest\[0\]"\.weights\[2\] is malformed: "shape" must be a list/,
    );
  });

  it('a layers topology without weights', async () => {
    const model = smallModel();
    fs.writeFileSync(
      path.join(tmp(), 'model.json'),
      JSON.stringify({ modelTopology: model.toJSON(null, false) }),
    );
    model.dispose();
    expect((await loadError(tmp())).message).toMatch(/no "weightsManifest"/);
  });
});

describe('damaged weights', () => {
  it('a truncated middle shard: expected vs actual bytes of that shard', async () => {
    const dir = await savedSmallModel();
    const shard = path.join(dir, 'group1-shard2of14.bin');
    fs.writeFileSync(shard, fs.readFileSync(shard).subarray(0, 100));
    const error = await loadError(dir);
    expect(error.message).toMatch(/Weights are truncated/);
    expect(error.message).toContain('"group1-shard2of14.bin" has 100 bytes, expected 256');
  });

  it('a truncated last shard', async () => {
    const dir = await savedSmallModel();
    const shard = path.join(dir, 'group1-shard14of14.bin');
    const bytes = fs.readFileSync(shard);
    fs.writeFileSync(shard, bytes.subarray(0, bytes.length - 8));
    const error = await loadError(dir);
    expect(error.message).toContain(
      `"group1-shard14of14.bin" has ${bytes.length - 8} bytes, expected ${bytes.length}`,
    );
  });

  it('a shard with extra bytes', async () => {
    const dir = await savedSmallModel();
    fs.appendFileSync(path.join(dir, 'group1-shard14of14.bin'), Buffer.alloc(12));
    expect((await loadError(dir)).message).toMatch(/more bytes than model.json declares/);
  });

  it('a weight count mismatch names the missing weight', async () => {
    const dir = await savedSmallModel();
    const file = path.join(dir, 'model.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    const weights = json.weightsManifest[0].weights as { name: string; shape: number[] }[];
    const removed = weights.pop();
    expect(removed?.name).toBe('bn/moving_variance');
    fs.writeFileSync(file, JSON.stringify(json));
    // Drop the bias bytes too, so the sizes agree and only the weight list is wrong.
    const last = path.join(dir, 'group1-shard14of14.bin');
    const bytes = fs.readFileSync(last);
    fs.writeFileSync(last, bytes.subarray(0, bytes.length - 4 * 4));
    const error = await loadError(dir);
    expect(error.message).toContain(
      `the file has ${weights.length} weights, the model ${weights.length + 1}`,
    );
    expect(error.message).toContain('missing from the file: bn/moving_variance');
  });

  it('weights of another architecture: the shape mismatch is named', async () => {
    const dir = await savedSmallModel();
    const fiveClasses = smallModel('', 5);
    expect(() => loadWeightsFromDir(fiveClasses, dir)).toThrow(
      /shape mismatch: dense\/kernel: file \[256, 3\], model \[256, 5\]/,
    );
    fiveClasses.dispose();
  });
});
