/**
 * The paper's architectures run end to end: each is explained with R-LRP at reduced input size
 * (random weights; pretrained ones cannot be downloaded here).
 */
import * as tf from '@tensorflow/tfjs';
import { explain, resnet50, vgg16, vgg19, releaseExplainCache } from '../src/index';

describe.each([
  ['VGG16', () => vgg16({ inputShape: [32, 32, 3], classes: 5, seed: 1 })],
  ['VGG19', () => vgg19({ inputShape: [32, 32, 3], classes: 5, seed: 2 })],
  ['ResNet50', () => resnet50({ inputShape: [32, 32, 3], classes: 5, seed: 3 })],
] as const)('%s explained with R-LRP', (_name, build) => {
  it('gives a finite, input-shaped relevance and leaks no tensor', () => {
    const model = build();
    const input = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 11);
    const baseline = tf.memory().numTensors;

    const explanation = explain(model, input, { rule: 'rlrp', target: 'predicted' });
    expect(explanation.relevance.shape).toEqual([2, 32, 32, 3]);
    expect(explanation.logits.shape).toEqual([2, 5]);
    expect(explanation.target).toHaveLength(2);
    for (const target of explanation.target) expect(target).toBeGreaterThanOrEqual(0);
    const relevance = explanation.relevance.dataSync();
    expect(relevance.every(Number.isFinite)).toBe(true);
    // Something was explained: the relevance is not identically zero.
    expect(relevance.some((value) => value !== 0)).toBe(true);
    explanation.dispose();

    releaseExplainCache(); // what one-shot explain() keeps for the model
    expect(tf.memory().numTensors).toBe(baseline);
    input.dispose();
    model.dispose();
  });
});
