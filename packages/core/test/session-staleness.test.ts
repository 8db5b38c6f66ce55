/**
 * No silent staleness: a session prepared before the model's weights changed (setWeights, training,
 * loading) refuses to explain with ModelChangedError, for every shipped model and every rule and
 * preset, instead of mixing the old forward pass with the new weights. One-shot explain() and a new
 * prepare() see the new weights.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  explain,
  ExplainableModel,
  loadModelFromDir,
  ModelChangedError,
  prepare,
  releaseExplainCache,
  RULE_CHOICES,
  type RuleChoice,
} from '@rlrp/core';

const MODELS_DIR = path.join(__dirname, '..', '..', '..', 'models');
const SHIPPED = readdirSync(MODELS_DIR).sort();

/** The model's weights scaled by `factor` (new tensors the caller disposes). */
function scaledWeights(model: tf.LayersModel, factor: number): tf.Tensor[] {
  return model.getWeights().map((w) => w.mul(factor));
}

function inputFor(model: tf.LayersModel, seed: number): tf.Tensor {
  const shape = model.inputs[0].shape.slice(1) as number[];
  return tf.randomUniform([1, ...shape], 0, 1, 'float32', seed);
}

function relevanceOf(run: () => { relevance: tf.Tensor; dispose(): void }): Float32Array {
  const e = run();
  const values = e.relevance.dataSync() as Float32Array;
  e.dispose();
  return values;
}

describe.each(SHIPPED)('models/%s after its weights change', (name) => {
  let model: tf.LayersModel;
  beforeAll(async () => {
    model = await loadModelFromDir(path.join(MODELS_DIR, name));
  });
  afterAll(() => model.dispose());

  it('a prepared session throws ModelChangedError for every rule and preset', () => {
    const before = tf.memory().numTensors;
    const x = inputFor(model, 1);
    const original = model.getWeights().map((w) => w.clone());
    const session = prepare(model, x);
    const changed = scaledWeights(model, 1.5);
    model.setWeights(changed);
    for (const rule of RULE_CHOICES) {
      expect(() => session.explain({ rule: rule as RuleChoice })).toThrow(ModelChangedError);
    }
    expect(() => session.probabilities()).toThrow(ModelChangedError);
    session.dispose(); // disposing a stale session is fine
    model.setWeights(original);
    tf.dispose([...changed, ...original, x]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('explain() and a new prepare() see the new weights, equal to a fresh ExplainableModel', () => {
    const x = inputFor(model, 2);
    const original = model.getWeights().map((w) => w.clone());
    const old = relevanceOf(() => explain(model, x, { rule: 'rlrp' }));
    const changed = model.getWeights().map((w, i) => w.mul(i % 2 === 0 ? 1.3 : 0.7));
    model.setWeights(changed);
    const fresh = new ExplainableModel(model);
    const expected = relevanceOf(() => fresh.explain(x, { rule: 'rlrp' }));
    fresh.dispose();
    const viaExplain = relevanceOf(() => explain(model, x, { rule: 'rlrp' }));
    const session = prepare(model, x);
    const viaPrepare = relevanceOf(() => session.explain({ rule: 'rlrp' }));
    session.dispose();
    expect(viaExplain).toEqual(expected);
    expect(viaPrepare).toEqual(expected);
    expect(Array.from(expected)).not.toEqual(Array.from(old));
    model.setWeights(original);
    releaseExplainCache();
    tf.dispose([...changed, ...original, x]);
  });
});

describe('training makes a prepared session stale', () => {
  it('one fit() step on a small model: ModelChangedError, then a new session explains', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 3, activation: 'relu' }),
        tf.layers.dense({ units: 2 }),
      ],
    });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const x = tf.randomUniform([8, 4], 0, 1, 'float32', 3);
    const y = tf.randomUniform([8, 2], 0, 1, 'float32', 4);
    const session = prepare(model, x);
    await model.fit(x, y, { epochs: 1, verbose: 0 });
    expect(() => session.explain({ rule: 'rlrp' })).toThrow(ModelChangedError);
    expect(() => session.explain({ rule: 'rlrp' })).toThrow(/prepare\(model, input\) again/);
    session.dispose();
    const again = prepare(model, x);
    const e = again.explain({ rule: 'epsilon' });
    expect(Array.from(e.relevance.dataSync()).every(Number.isFinite)).toBe(true);
    e.dispose();
    again.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });
});
