import * as tf from '@tensorflow/tfjs';
import { explain, ExplainableModel, ModelChangedError, releaseExplainCache } from '@rlrp/core';

/**
 * One-shot explain() keeps the engine's form of the model it explained last. These tests pin down
 * that keeping it never changes an answer: new weights, another model or another batch-norm
 * setting all rebuild it, and releasing it frees every tensor it held.
 */
function smallCnn(seed: number): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotNormal({ seed: seed + s });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [6, 6, 2],
        filters: 4,
        kernelSize: 3,
        kernelInitializer: init(1),
      }),
      tf.layers.batchNormalization(),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, kernelInitializer: init(2) }),
    ],
  });
}

function relevanceOf(model: tf.LayersModel, x: tf.Tensor, foldBatchNorm = true): Float32Array {
  const e = explain(model, x, { rule: 'epsilon', target: 0, foldBatchNorm });
  const values = e.relevance.dataSync() as Float32Array;
  e.dispose();
  return values;
}

/** The same explanation from a graph built just for this call. */
function freshRelevanceOf(model: tf.LayersModel, x: tf.Tensor, foldBatchNorm = true): Float32Array {
  const explainable = new ExplainableModel(model, { foldBatchNorm });
  const e = explainable.explain(x, { rule: 'epsilon', target: 0 });
  const values = e.relevance.dataSync() as Float32Array;
  e.dispose();
  explainable.dispose();
  return values;
}

describe('the model one-shot explain() keeps', () => {
  test('explaining again reuses it, and releasing it frees every tensor it held', () => {
    const model = smallCnn(1);
    const x = tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 3);
    const before = tf.memory().numTensors;
    const first = relevanceOf(model, x);
    const kept = tf.memory().numTensors;
    expect(kept).toBeGreaterThan(before); // the folded batch norm lives in the kept graph
    expect(relevanceOf(model, x)).toEqual(first);
    expect(tf.memory().numTensors).toBe(kept);
    releaseExplainCache();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  test('new weights (setWeights, as training and loading do) rebuild it: no stale answer', () => {
    const model = smallCnn(2);
    const x = tf.randomNormal([1, 6, 6, 2], 0, 1, 'float32', 4);
    const old = relevanceOf(model, x);
    const conv = model.layers[0];
    const [kernel, bias] = conv.getWeights();
    const doubled = kernel.mul(2);
    conv.setWeights([doubled, bias]);
    doubled.dispose();
    const now = relevanceOf(model, x);
    expect(now).not.toEqual(old);
    expect(now).toEqual(freshRelevanceOf(model, x));
    releaseExplainCache();
    x.dispose();
    model.dispose();
  });

  test('an ExplainableModel held by the user refuses stale weights with a ModelChangedError', () => {
    const model = smallCnn(6);
    const x = tf.randomNormal([1, 6, 6, 2], 0, 1, 'float32', 7);
    const before = tf.memory().numTensors;
    const explainable = new ExplainableModel(model);
    explainable.explain(x, { rule: 'alpha2beta1' }).dispose(); // kernels prepared for w⁺, w⁻
    expect(explainable.isCurrent()).toBe(true);
    const dense = model.layers[4];
    const [kernel, bias] = dense.getWeights();
    const negated = kernel.neg();
    dense.setWeights([negated, bias]);
    negated.dispose();
    expect(explainable.isCurrent()).toBe(false);
    expect(() => explainable.prepare(x)).toThrow(ModelChangedError);
    expect(() => explainable.prepare(x)).toThrow(/Create a new ExplainableModel/);
    explainable.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  test('another model or another batch-norm setting replaces it (one model kept at a time)', () => {
    const a = smallCnn(3);
    const b = smallCnn(4);
    const x = tf.randomNormal([1, 6, 6, 2], 0, 1, 'float32', 5);
    const before = tf.memory().numTensors;
    relevanceOf(a, x);
    const withOne = tf.memory().numTensors;
    expect(relevanceOf(b, x)).toEqual(freshRelevanceOf(b, x));
    expect(tf.memory().numTensors).toBe(withOne); // a's graph was released for b's
    expect(relevanceOf(b, x, false)).toEqual(freshRelevanceOf(b, x, false));
    expect(relevanceOf(a, x)).toEqual(freshRelevanceOf(a, x));
    releaseExplainCache();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    a.dispose();
    b.dispose();
  });

  test('a disposed model is never explained from the kept graph', () => {
    const model = smallCnn(5);
    const x = tf.randomNormal([1, 6, 6, 2], 0, 1, 'float32', 6);
    relevanceOf(model, x);
    model.dispose();
    expect(() => relevanceOf(model, x)).toThrow();
    releaseExplainCache();
    x.dispose();
  });
});
