import * as tf from '@tensorflow/tfjs';
import { EngineError } from '../errors';

/**
 * A dataset's images as float32 values in shared memory, which every thread of a pool reads
 * without a copy per worker (other dtypes, e.g. int32 pixels, converted on the way).
 */
export async function sharedImages(images: tf.Tensor4D): Promise<SharedArrayBuffer> {
  const bytes = images.size * Float32Array.BYTES_PER_ELEMENT;
  let shared: SharedArrayBuffer;
  try {
    shared = new SharedArrayBuffer(bytes);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new EngineError(
      `No memory for the workers' shared copy of ${images.shape[0]} images (${bytes} bytes); ` +
        'pass fewer images at a time, or workers: 1 to work in this thread without a copy.',
    );
  }
  new Float32Array(shared).set(await images.data());
  return shared;
}

/** Images `[start, end)` of `shared` (a dataset of `shape`) as a tensor of this thread's engine. */
export function imagesOfSlice(
  shared: SharedArrayBuffer,
  shape: readonly [number, number, number, number],
  { start, end }: { readonly start: number; readonly end: number },
): tf.Tensor4D {
  const [, h, w, c] = shape;
  const perImage = h * w * c;
  return tf.tensor4d(
    new Float32Array(
      shared,
      start * perImage * Float32Array.BYTES_PER_ELEMENT,
      (end - start) * perImage,
    ),
    [end - start, h, w, c],
    'float32',
  );
}
