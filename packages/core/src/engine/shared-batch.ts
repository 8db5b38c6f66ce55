/**
 * Where `ExplainPool.explain` puts a batch for its workers and they put the relevance back: two
 * SharedArrayBuffers kept by the pool and reused from call to call (grown when a batch does not
 * fit). Why: a fresh array's first touch faults every page in, about 12 µs per 4 KiB on this
 * project's machines, and every call used to make four (the batch read, a copy per worker, each
 * worker's relevance, the assembled result), all freed only at the next garbage collection. An
 * MNIST batch of 256 on one worker took 41–43 ms against 28–29 ms in this thread; 5–11 ms of the
 * difference were those first touches (timed on both sides of a one-off run).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The input and relevance of a batch of up to `capacity` float32 values. */
export class SharedBatch {
  private input = new SharedArrayBuffer(0);
  private output = new SharedArrayBuffer(0);

  /** The buffers, holding at least `values` float32 values each. */
  reserve(values: number): {
    readonly input: SharedArrayBuffer;
    readonly output: SharedArrayBuffer;
  } {
    const bytes = values * Float32Array.BYTES_PER_ELEMENT;
    if (this.input.byteLength < bytes) {
      this.input = new SharedArrayBuffer(bytes);
      this.output = new SharedArrayBuffer(bytes);
    }
    return { input: this.input, output: this.output };
  }
}

/**
 * `tensor`'s values: a view into the wasm heap where the tensor lives there (valid until the next
 * allocation in the heap: copy it at once), else a fresh copy.
 */
export function valuesOf(tensor: tf.Tensor): tf.TypedArray {
  if (tf.getBackend() === 'wasm') {
    // Safe: the backend is wasm's.
    const wasm = tf.backend() as unknown as BackendWasm;
    if (wasm.dataIdMap.has(tensor.dataId)) return wasm.typedArrayFromHeap(tensor);
  }
  return tensor.dataSync();
}

/**
 * A tensor of `values` (which the caller will overwrite later): the wasm backend copies them into
 * its heap at once, other backends may keep the array itself, so they get a copy.
 */
export function tensorOfCopy(values: Float32Array, shape: readonly number[]): tf.Tensor {
  return tf.tensor(tf.getBackend() === 'wasm' ? values : values.slice(), [...shape], 'float32');
}
