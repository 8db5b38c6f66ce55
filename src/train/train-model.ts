/**
 * Deterministic training loop: a seeded shuffle per epoch, `trainOnBatch` over fixed-size batches,
 * a progress bar, then test accuracy on the whole test split.
 */
import * as tf from '@tensorflow/tfjs';
import { SingleBar, Presets } from 'cli-progress';
import { seededPermutation, type DatasetSplit, type LabelledImageDataset } from '@rlrp/datasets';

/** Hyper-parameters of one training run. */
export interface TrainingPlan {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Train on the first `trainLimit` images of the train split only (keeps runs short). */
  readonly trainLimit: number;
  readonly seed: number;
}

/** Gather images and one-hot labels for the given indices of a split. */
function gatherBatch(
  dataset: LabelledImageDataset,
  split: DatasetSplit,
  indices: ArrayLike<number>,
): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const pixels = dataset.height * dataset.width * dataset.channels;
  const images = new Float32Array(indices.length * pixels);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i];
    images.set(split.images.subarray(index * pixels, (index + 1) * pixels), i * pixels);
    labels[i] = split.labels[index];
  }
  return tf.tidy(() => ({
    x: tf.tensor4d(images, [indices.length, dataset.height, dataset.width, dataset.channels]),
    y: tf.oneHot(tf.tensor1d(labels, 'int32'), dataset.classNames.length).toFloat() as tf.Tensor2D,
  }));
}

/** Accuracy of `model` on a whole split, in batches. */
export function splitAccuracy(
  model: tf.LayersModel,
  dataset: LabelledImageDataset,
  split: DatasetSplit,
  batchSize = 256,
): number {
  let correct = 0;
  for (let start = 0; start < split.count; start += batchSize) {
    const end = Math.min(split.count, start + batchSize);
    const indices = Array.from({ length: end - start }, (_, i) => start + i);
    const { x, y } = gatherBatch(dataset, split, indices);
    const hits = tf.tidy(() => {
      const predicted = (model.predict(x) as tf.Tensor2D).argMax(1);
      return predicted.equal(y.argMax(1)).sum().dataSync()[0];
    });
    correct += hits;
    x.dispose();
    y.dispose();
  }
  return correct / split.count;
}

/** Train `model` in place; returns the final mean training loss of the last epoch. */
export async function trainModel(
  model: tf.LayersModel,
  dataset: LabelledImageDataset,
  plan: TrainingPlan,
  label: string,
): Promise<number> {
  model.compile({
    optimizer: tf.train.adam(plan.learningRate),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const trainCount = Math.min(plan.trainLimit, dataset.train.count);
  const batchesPerEpoch = Math.ceil(trainCount / plan.batchSize);
  const bar = new SingleBar(
    {
      format: `${label} |{bar}| {value}/{total} batches | epoch {epoch} | loss {loss} | acc {acc}`,
      noTTYOutput: true,
      notTTYSchedule: 15000,
    },
    Presets.shades_classic,
  );
  bar.start(plan.epochs * batchesPerEpoch, 0, { epoch: 1, loss: '-', acc: '-' });
  let lastLoss = NaN;
  for (let epoch = 0; epoch < plan.epochs; epoch++) {
    const order = seededPermutation(trainCount, plan.seed + epoch);
    let lossSum = 0;
    let accSum = 0;
    for (let b = 0; b < batchesPerEpoch; b++) {
      const indices = order.subarray(
        b * plan.batchSize,
        Math.min(trainCount, (b + 1) * plan.batchSize),
      );
      const { x, y } = gatherBatch(dataset, dataset.train, indices);
      const [loss, acc] = (await model.trainOnBatch(x, y)) as number[];
      // Let the progress bar's redraw timer run (trainOnBatch resolves without yielding to timers).
      await new Promise((resolve) => setImmediate(resolve));
      x.dispose();
      y.dispose();
      lossSum += loss;
      accSum += acc;
      bar.increment(1, {
        epoch: epoch + 1,
        loss: (lossSum / (b + 1)).toFixed(4),
        acc: (accSum / (b + 1)).toFixed(4),
      });
    }
    lastLoss = lossSum / batchesPerEpoch;
  }
  bar.stop();
  return lastLoss;
}
