import * as tf from '@tensorflow/tfjs';
import {
  explain,
  explainCacheMemory,
  ExplainCacheLimitError,
  releaseExplainCache,
  setExplainCacheLimit,
} from '@rlrp/core';

/**
 * What one-shot explain() keeps is visible (explainCacheMemory counts exactly the tensor bytes it
 * holds), bounded (setExplainCacheLimit) and released with the model (model.dispose()).
 */
function smallCnn(seed: number): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotNormal({ seed: seed + s });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [8, 8, 2],
        filters: 4,
        kernelSize: 3,
        kernelInitializer: init(1),
      }),
      tf.layers.batchNormalization(),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.conv2d({ filters: 4, kernelSize: 3, kernelInitializer: init(2) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, kernelInitializer: init(3) }),
    ],
  });
}

const RULES = ['epsilon', 'rlrp', 'EpsilonPlusFlat'] as const;

/** Explains with every rule (each may keep its own weight rewrites); returns the relevances. */
function explainAll(model: tf.LayersModel, x: tf.Tensor): Float32Array[] {
  return RULES.map((rule) => {
    const e = explain(model, x, { rule, target: 0 });
    const values = e.relevance.dataSync() as Float32Array;
    e.dispose();
    return values;
  });
}

afterEach(() => setExplainCacheLimit(Number.POSITIVE_INFINITY));

describe('explainCacheMemory', () => {
  test('counts exactly the tensor bytes the cache holds, and names the model', () => {
    const model = smallCnn(1);
    const x = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 7);
    expect(explainCacheMemory()).toEqual({
      bytes: 0,
      modelWeightBytes: 0,
      limitBytes: Number.POSITIVE_INFINITY,
      modelName: null,
    });
    const before = tf.memory().numBytes;
    explainAll(model, x);
    explainAll(model, x); // the second round may prepare more (Winograd on transposing again)
    const held = tf.memory().numBytes - before;
    const memory = explainCacheMemory();
    expect(held).toBeGreaterThan(0);
    expect(memory.bytes).toBe(held);
    expect(memory.modelName).toBe(model.name);
    const weights = model.weights.reduce((sum, w) => sum + w.read().size * 4, 0);
    expect(memory.modelWeightBytes).toBe(weights);
    releaseExplainCache();
    expect(tf.memory().numBytes).toBe(before);
    expect(explainCacheMemory().bytes).toBe(0);
    x.dispose();
    model.dispose();
  });

  test('also counts the graph built by an explanation that threw', () => {
    const model = smallCnn(8);
    const x = tf.randomNormal([1, 8, 8, 2], 0, 1, 'float32', 7);
    const before = tf.memory().numBytes;
    expect(() => explain(model, x, { rule: 'epsilon', target: 99 })).toThrow();
    explainAll(model, x);
    expect(explainCacheMemory().bytes).toBe(tf.memory().numBytes - before);
    releaseExplainCache();
    expect(tf.memory().numBytes).toBe(before);
    x.dispose();
    model.dispose();
  });

  test('counts only the model kept now when another model is explained', () => {
    const a = smallCnn(1);
    const b = smallCnn(2);
    const x = tf.randomNormal([1, 8, 8, 2], 0, 1, 'float32', 7);
    const before = tf.memory().numBytes;
    explainAll(b, x);
    const bAlone = explainCacheMemory().bytes;
    expect(tf.memory().numBytes - before).toBe(bAlone);
    releaseExplainCache();
    explainAll(a, x);
    explainAll(b, x);
    expect(explainCacheMemory()).toMatchObject({ bytes: bAlone, modelName: b.name });
    expect(tf.memory().numBytes - before).toBe(bAlone);
    releaseExplainCache();
    tf.dispose([x]);
    a.dispose();
    b.dispose();
  });
});

describe('model.dispose()', () => {
  test('releases what the cache holds for the model, and only then the model', () => {
    const tensorsBefore = tf.memory().numTensors;
    const model = smallCnn(3);
    const x = tf.randomNormal([1, 8, 8, 2], 0, 1, 'float32', 7);
    explainAll(model, x);
    expect(explainCacheMemory().bytes).toBeGreaterThan(0);
    model.dispose();
    x.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(explainCacheMemory().modelName).toBeNull();
    // The hook is gone with the cache: the model's dispose is its class's again.
    expect(Object.prototype.hasOwnProperty.call(model, 'dispose')).toBe(false);
  });

  test('of another model leaves the kept one alone', () => {
    const kept = smallCnn(4);
    const other = smallCnn(5);
    const x = tf.randomNormal([1, 8, 8, 2], 0, 1, 'float32', 7);
    explainAll(kept, x);
    const held = explainCacheMemory().bytes;
    other.dispose();
    expect(explainCacheMemory()).toMatchObject({ bytes: held, modelName: kept.name });
    releaseExplainCache();
    x.dispose();
    kept.dispose();
  });
});

describe('setExplainCacheLimit', () => {
  test('releases the cache after an explanation that leaves it over the limit', () => {
    const model = smallCnn(6);
    const x = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 7);
    const unbounded = explainAll(model, x);
    releaseExplainCache();
    const tensorsBefore = tf.memory().numTensors;
    setExplainCacheLimit(0);
    expect(explainCacheMemory().limitBytes).toBe(0);
    const bounded = explainAll(model, x);
    expect(bounded).toEqual(unbounded); // the same answers, nothing kept
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(explainCacheMemory().bytes).toBe(0);
    x.dispose();
    model.dispose();
  });

  test('keeps the cache while it stays within the limit', () => {
    const model = smallCnn(7);
    const x = tf.randomNormal([1, 8, 8, 2], 0, 1, 'float32', 7);
    explainAll(model, x);
    const held = explainCacheMemory().bytes;
    releaseExplainCache();
    setExplainCacheLimit(held);
    explainAll(model, x);
    expect(explainCacheMemory()).toMatchObject({ bytes: held, modelName: model.name });
    releaseExplainCache();
    x.dispose();
    model.dispose();
  });

  test.each([-1, Number.NaN])('rejects %p with a typed error naming the valid values', (bad) => {
    expect(() => setExplainCacheLimit(bad)).toThrow(ExplainCacheLimitError);
    expect(() => setExplainCacheLimit(bad)).toThrow(/bytes ≥ 0 \(or Infinity/);
  });
});
