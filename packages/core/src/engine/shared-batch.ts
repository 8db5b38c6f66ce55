/**
 * Where `ExplainPool.explain` puts a batch for its workers and they put the relevance back: two
 * SharedArrayBuffers kept by the pool and reused from call to call (grown when a batch does not
 * fit). Why: every call used to make four fresh arrays (the batch read, a copy per worker, each
 * worker's relevance, the assembled result), freed only at a later garbage collection, and a
 * fresh array's first touch faults its pages in at about 12 µs per 4 KiB on this project's
 * machines. An MNIST batch of 256 on one worker took 41–43 ms against 28–29 ms in this thread;
 * with the shared buffers 30.0–30.5 ms against 26.1–29.6 ms (docs/performance.md, tenth round).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { EngineError } from '../errors';

/** A batch's values and its relevance, float32, in two buffers that only grow. */
export class SharedBatch {
  private input = new SharedArrayBuffer(0);
  private output = new SharedArrayBuffer(0);

  /**
   * The buffers, holding at least `values` float32 values each.
   *
   * @throws EngineError when memory for them cannot be had (the buffers kept stay as they were).
   */
  reserve(values: number): {
    readonly input: SharedArrayBuffer;
    readonly output: SharedArrayBuffer;
  } {
    const bytes = values * Float32Array.BYTES_PER_ELEMENT;
    if (this.input.byteLength < bytes) {
      try {
        const input = new SharedArrayBuffer(bytes);
        this.output = new SharedArrayBuffer(bytes);
        this.input = input;
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        throw new EngineError(
          `ExplainPool: no memory for a batch of ${values} values (two shared buffers of ` +
            `${bytes} bytes); explain it in smaller batches.`,
        );
      }
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
 * A tensor of `values`, an array the caller will overwrite later: the wasm backend copies them into
 * its heap at once; other backends may keep the array itself, so they are given a copy.
 */
export function tensorFromReused(values: Float32Array, shape: readonly number[]): tf.Tensor {
  return tf.tensor(tf.getBackend() === 'wasm' ? values : values.slice(), [...shape], 'float32');
}
