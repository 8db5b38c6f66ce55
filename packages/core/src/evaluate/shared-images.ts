import * as tf from '@tensorflow/tfjs';

/**
 * A dataset's images as float32 values in shared memory, which every thread of a pool reads
 * without a copy per worker (other dtypes, e.g. int32 pixels, converted on the way).
 */
export async function sharedImages(images: tf.Tensor4D): Promise<SharedArrayBuffer> {
  const data = await images.data();
  const shared = new SharedArrayBuffer(images.size * Float32Array.BYTES_PER_ELEMENT);
  new Float32Array(shared).set(data);
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
