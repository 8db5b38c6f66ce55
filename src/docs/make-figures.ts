/**
 * Regenerates the pictures in the README and docs from the shipped model and real MNIST digits:
 *
 *   npm run figures
 *
 * docs/images/rules-mnist.png   rows: test digits; columns: the input, then one heatmap per rule
 * docs/images/trace-mnist.png   R-LRP relevance at every spatial layer, output side first
 * (`npm run figures` then also writes docs/images/explorer.png, the live explorer in Notebook 6,
 * with src/bench/bench-widgets.ts --screenshot: real Jupyter and Chromium.)
 */
import * as tf from '@tensorflow/tfjs';
import * as path from 'path';
import {
  heatmap,
  initEngine,
  loadModelFromDir,
  prepare,
  tileImages,
  upscaleNearest,
  writePng,
  type RgbaImage,
  type RuleChoice,
} from '@rlrp/core';
import { loadMnist, toTensors } from '@rlrp/datasets';

const repoRoot = path.resolve(__dirname, '..', '..');
const imagesDir = path.join(repoRoot, 'docs', 'images');

/** The columns of the rule grid, in order (the README's table header repeats them). */
export const FIGURE_RULES: readonly RuleChoice[] = [
  'rlrp',
  'lrp0',
  'epsilon',
  'gamma',
  'alpha1beta0',
  'alpha2beta1',
  'EpsilonPlusFlat',
  'gradient-x-input',
];

/** A grey input image as RGBA, upscaled like the heatmaps. */
function inputPicture(image: tf.Tensor, scale: number): RgbaImage {
  return heatmap(image, { colormap: 'gray', normalization: 'minmax', upscale: scale });
}

async function main(): Promise<void> {
  await initEngine();
  const model = await loadModelFromDir(path.join(repoRoot, 'models', 'mnist-cnn'));
  const mnist = loadMnist();
  const digits = [0, 1, 2, 3];
  const { images, labels } = toTensors(mnist, mnist.test, { start: 0, count: 8 });
  const scale = 4;
  const session = prepare(model, images);
  const tiles: RgbaImage[] = [];
  for (const sample of digits) {
    const image = images.slice([sample], [1]);
    tiles.push(inputPicture(image, scale));
    image.dispose();
    for (const rule of FIGURE_RULES) {
      const e = session.explain({ rule, target: 'predicted' });
      tiles.push(heatmap(e.relevance, { sample, colormap: 'bwr', upscale: scale }));
      e.dispose();
    }
  }
  await writePng(
    path.join(imagesDir, 'rules-mnist.png'),
    tileImages(tiles, { columns: FIGURE_RULES.length + 1, gap: 6 }),
  );

  const traced = session.explain({ rule: 'rlrp', target: 'predicted', trace: true });
  const spatial = (traced.trace ?? []).filter((layer) => layer.outputShape.length === 3);
  const strip = spatial.map((layer) =>
    upscaleNearest(
      heatmap(layer.relevance, { sample: 0, colormap: 'bwr' }),
      Math.max(1, Math.round(112 / layer.outputShape[0])),
    ),
  );
  await writePng(path.join(imagesDir, 'trace-mnist.png'), tileImages(strip, { gap: 6 }));
  traced.dispose();
  session.dispose();
  const predicted = Array.from(labels.dataSync()).slice(0, digits.length);
  console.log(
    `wrote docs/images/rules-mnist.png (digits with labels ${predicted.join(', ')}) and docs/images/trace-mnist.png ` +
      `(${spatial.map((l) => l.name).join(' → ')})`,
  );
  tf.dispose([images, labels]);
  model.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
