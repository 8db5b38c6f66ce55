/**
 * Train one or more of the shipped models and save them to models/<dataset>-<arch>/.
 *
 *   npx tsx src/train/train.ts --dataset mnist --arch cnn
 *   npx tsx src/train/train.ts --all
 *
 * Deterministic: fixed initializer seeds, a seeded shuffle per epoch, fixed batch order; runs on the
 * wasm backend. Writes model.json + weights.bin and training.json (plan, accuracy, command).
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import {
  saveModelToDir,
  SMALL_CLASSIFIERS,
  smallClassifier,
  type SmallClassifierName,
} from '@rlrp/core';
import { loadFashionMnist, loadMnist, type LabelledImageDataset } from '@rlrp/datasets';
import { splitAccuracy, trainModel, type TrainingPlan } from './train-model';
import { useWasmBackend } from './wasm-backend';
import { TRAINING_PLANS, type DatasetName, DATASETS } from './training-plans';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

function loadDataset(name: DatasetName): LabelledImageDataset {
  return name === 'mnist' ? loadMnist() : loadFashionMnist();
}

function parseArgs(argv: readonly string[]): {
  runs: [DatasetName, SmallClassifierName][];
  epochs?: number;
} {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const epochsText = value('--epochs');
  const epochs = epochsText === undefined ? undefined : Number(epochsText);
  if (argv.includes('--all')) {
    return {
      runs: DATASETS.flatMap((d) =>
        SMALL_CLASSIFIERS.map((a): [DatasetName, SmallClassifierName] => [d, a]),
      ),
      epochs,
    };
  }
  const dataset = value('--dataset') as DatasetName | undefined;
  const arch = value('--arch') as SmallClassifierName | undefined;
  if (!dataset || !DATASETS.includes(dataset) || !arch || !SMALL_CLASSIFIERS.includes(arch)) {
    throw new Error(
      `Usage: train.ts --dataset <${DATASETS.join('|')}> --arch <${SMALL_CLASSIFIERS.join('|')}> [--epochs N] | --all`,
    );
  }
  return { runs: [[dataset, arch]], epochs };
}

async function main(): Promise<void> {
  const { runs, epochs } = parseArgs(process.argv.slice(2));
  await useWasmBackend();
  for (const [datasetName, arch] of runs) {
    const dataset = loadDataset(datasetName);
    const base = TRAINING_PLANS[datasetName][arch];
    const plan: TrainingPlan = { ...base, epochs: epochs ?? base.epochs };
    const model = smallClassifier(arch, {
      inputShape: [dataset.height, dataset.width, dataset.channels],
      classes: dataset.classNames.length,
      seed: plan.seed,
    });
    const started = Date.now();
    const loss = await trainModel(model, dataset, plan, `${datasetName}-${arch}`);
    const seconds = (Date.now() - started) / 1000;
    const accuracy = splitAccuracy(model, dataset, dataset.test);
    const dir = path.join(REPO_ROOT, 'models', `${datasetName}-${arch}`);
    // One weights.bin, the layout docs/models.md quotes checksums of.
    await saveModelToDir(model, dir, { singleWeightsFile: 'weights.bin' });
    const record = {
      dataset: datasetName,
      architecture: arch,
      plan,
      trainImages: Math.min(plan.trainLimit, dataset.train.count),
      testImages: dataset.test.count,
      testAccuracy: accuracy,
      finalTrainLoss: loss,
      parameters: model.countParams(),
      trainingSeconds: Math.round(seconds),
      backend: tf.getBackend(),
      command: `npx tsx src/train/train.ts --dataset ${datasetName} --arch ${arch}${epochs === undefined ? '' : ` --epochs ${epochs}`}`,
      datasetSource: dataset.source,
    };
    fs.writeFileSync(path.join(dir, 'training.json'), JSON.stringify(record, null, 2) + '\n');
    console.log(
      `${datasetName}-${arch}: test accuracy ${(accuracy * 100).toFixed(2)}% on ${dataset.test.count} images, ` +
        `${model.countParams()} parameters, ${Math.round(seconds)} s → ${path.relative(REPO_ROOT, dir)}`,
    );
    model.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
