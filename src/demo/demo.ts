/**
 * The headless demo (`npm start -- --demo` or `npm run demo`): explains a real MNIST test digit with
 * R-LRP on the shipped CNN and writes, under demo-output/,
 *   - rlrp-digit.png   the digit, its R-LRP heatmap and the overlay, side by side;
 *   - explorer.html    the RelevanceExplorer drawn offline by its own view (plotly inline): step
 *                      through the layers; rule and target need a running kernel.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import {
  heatmap,
  initEngine,
  loadModelFromDir,
  overlayHeatmap,
  prepare,
  tileImages,
  writePng,
} from '@rlrp/core';
import { loadMnist, toTensors } from '@rlrp/datasets';
import { explore } from '@rlrp/widgets';

const repoRoot = path.resolve(__dirname, '..', '..');

/** Runs the demo and returns the paths it wrote. */
export async function runDemo(outputDir = path.join(repoRoot, 'demo-output')): Promise<string[]> {
  const engine = await initEngine();
  console.log(`[demo] engine: ${engine.name} (${engine.reason})`);
  const model = await loadModelFromDir(path.join(repoRoot, 'models', 'mnist-cnn'));
  const mnist = loadMnist();
  const { images, labels } = toTensors(mnist, mnist.test, { start: 0, count: 1 });
  const label = labels.dataSync()[0];

  const session = prepare(model, images);
  const explanation = session.explain({ rule: 'rlrp', target: 'predicted', trace: true });
  const predicted = explanation.target[0];
  console.log(`[demo] MNIST test digit 0: label ${label}, predicted ${predicted}`);

  fs.mkdirSync(outputDir, { recursive: true });
  const picture = tileImages(
    [
      heatmap(images, { colormap: 'gray', normalization: 'minmax', minSize: 224 }),
      heatmap(explanation.relevance, { colormap: 'bwr', minSize: 224 }),
      overlayHeatmap(images, explanation.relevance, { opacity: 0.7, minSize: 224 }),
    ],
    { gap: 8 },
  );
  const png = path.join(outputDir, 'rlrp-digit.png');
  await writePng(png, picture);

  // The explorer's own view over its saved state, drawn offline (plotly inline).
  const explorer = explore(model, images, {
    display: false,
    title: `R-LRP on the shipped MNIST CNN — digit ${label}, explained class ${predicted}`,
  });
  const html = path.join(outputDir, 'explorer.html');
  fs.writeFileSync(
    html,
    `<!doctype html><html><head><meta charset="utf-8"><title>R-LRP demo</title></head><body>\n${explorer.toHtml('inline')}\n</body></html>\n`,
  );
  explorer.dispose();
  for (const written of [png, html])
    console.log(`[demo] wrote ${path.relative(repoRoot, written)}`);

  explanation.dispose();
  session.dispose();
  tf.dispose([images, labels]);
  model.dispose();
  return [png, html];
}

if (require.main === module) {
  runDemo().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
