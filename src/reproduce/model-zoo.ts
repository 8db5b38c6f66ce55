/** The shipped models under models/<dataset>-<arch>/ and the dataset each one was trained on. */
import * as fs from 'fs';
import * as path from 'path';
import { loadFashionMnist, loadMnist, type LabelledImageDataset } from '@rlrp/datasets';

/** One shipped model. */
export interface ShippedModel {
  /** `<dataset>-<arch>`, e.g. `mnist-cnn`. */
  readonly id: string;
  readonly dataset: 'mnist' | 'fashion-mnist';
  readonly architecture: string;
  readonly dir: string;
  /** Test accuracy recorded by the training script (whole test split). */
  readonly testAccuracy?: number;
}

const ARCH_ORDER = ['mlp', 'cnn', 'vgg', 'resnet'];

/** Every model folder with a model.json, MNIST first, then by architecture. */
export function listShippedModels(modelsDir: string): ShippedModel[] {
  if (!fs.existsSync(modelsDir)) return [];
  const found: ShippedModel[] = [];
  for (const id of fs.readdirSync(modelsDir)) {
    const dir = path.join(modelsDir, id);
    if (!fs.existsSync(path.join(dir, 'model.json'))) continue;
    const dataset = id.startsWith('fashion-mnist-')
      ? 'fashion-mnist'
      : id.startsWith('mnist-')
        ? 'mnist'
        : undefined;
    if (!dataset) continue;
    const architecture = id.slice(dataset.length + 1);
    const trainingFile = path.join(dir, 'training.json');
    const testAccuracy = fs.existsSync(trainingFile)
      ? (JSON.parse(fs.readFileSync(trainingFile, 'utf8')) as { testAccuracy?: number })
          .testAccuracy
      : undefined;
    found.push({ id, dataset, architecture, dir, testAccuracy });
  }
  const rank = (m: ShippedModel) =>
    (m.dataset === 'mnist' ? 0 : 100) + (ARCH_ORDER.indexOf(m.architecture) + 1 || 50);
  return found.sort((a, b) => rank(a) - rank(b));
}

/** The dataset a model was trained on. */
export function datasetOf(model: ShippedModel): LabelledImageDataset {
  return model.dataset === 'mnist' ? loadMnist() : loadFashionMnist();
}
