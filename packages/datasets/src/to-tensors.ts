import * as tf from '@tensorflow/tfjs';
import type { DatasetSplit, LabelledImageDataset } from './dataset';
import { DatasetError } from './errors';

/** A slice of a split as tensors. The caller owns (and disposes) both tensors. */
export interface TensorBatch {
  /** Images `[n, height, width, channels]`, float32 in [0, 1]. */
  readonly images: tf.Tensor4D;
  /** Labels `[n]`, int32. */
  readonly labels: tf.Tensor1D;
}

/** Which images of a split to turn into tensors. */
export interface SliceOptions {
  /** First image index; default 0. */
  readonly start?: number;
  /** Number of images; default: up to the end of the split. */
  readonly count?: number;
}

/**
 * Copy images `[start, start + count)` of a split into tensors.
 * @throws DatasetError when the range lies outside the split.
 */
export function toTensors(
  dataset: LabelledImageDataset,
  split: DatasetSplit,
  options: SliceOptions = {},
): TensorBatch {
  const start = options.start ?? 0;
  const count = options.count ?? split.count - start;
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0) {
    throw new DatasetError(
      `Invalid slice start=${start}, count=${count}: both must be non-negative integers.`,
    );
  }
  if (start + count > split.count) {
    throw new DatasetError(
      `Slice [${start}, ${start + count}) exceeds the ${split.count} images of this ${dataset.name} split. ` +
        `Ask for at most ${Math.max(0, split.count - start)} images from index ${start}.`,
    );
  }
  const pixels = dataset.height * dataset.width * dataset.channels;
  const images = tf.tensor4d(
    split.images.subarray(start * pixels, (start + count) * pixels),
    [count, dataset.height, dataset.width, dataset.channels],
    'float32',
  );
  const labels = tf.tensor1d(split.labels.subarray(start, start + count), 'int32');
  return { images, labels };
}
