/**
 * End to end on the shipped MNIST CNN: a user's PNG goes through loadImage into the model, gets
 * explained, and comes back as an overlay PNG.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { releaseExplainCache } from '@rlrp/core';
import { PNG } from 'pngjs';
import { explain } from '../src/explain';
import { encodePng, heatmap, overlayHeatmap } from '../src/heatmap/index';
import { loadImage } from '../src/image/index';
import { loadModelFromDir } from '../src/io/index';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const digit = path.join(__dirname, 'fixtures', 'images', 'digit-7.png');

describe('loadImage → shipped MNIST CNN → heatmap', () => {
  let model: tf.LayersModel;
  beforeAll(async () => {
    model = await loadModelFromDir(path.join(repoRoot, 'models', 'mnist-cnn'));
  });
  afterAll(() => model.dispose());

  it('classifies the loaded digit as 7 and draws its explanation without leaking', async () => {
    const before = tf.memory().numTensors;
    const x = await loadImage(digit, { model });
    expect(x.shape).toEqual([1, 28, 28, 1]);
    const predicted = tf.tidy(() => (model.predict(x) as tf.Tensor).argMax(-1).arraySync());
    expect(predicted).toEqual([7]);

    const explanation = explain(model, x, { rule: 'epsilon' });
    const overlay = overlayHeatmap(x, explanation.relevance, { threshold: 0.01, opacity: 0.8 });
    const image = heatmap(explanation.relevance, { minSize: 224 });
    expect([image.width, image.height]).toEqual([224, 224]);
    expect(PNG.sync.read(encodePng(image)).width).toBe(224);

    // LRP-ε gives no relevance to zero-valued (black) pixels, so with a threshold the overlay
    // leaves the background exactly as it was and colours only pixels of the stroke.
    const ink = x.dataSync();
    let coloured = 0;
    for (let p = 0; p < 28 * 28; p++) {
      const changed = overlay.data[4 * p] !== Math.round(ink[p] * 255);
      if (ink[p] === 0) expect(changed).toBe(false);
      if (changed) coloured++;
    }
    expect(coloured).toBeGreaterThan(20);

    explanation.dispose();
    x.dispose();
    releaseExplainCache(); // what one-shot explain() keeps for the model
    expect(tf.memory().numTensors).toBe(before);
  });
});
