/**
 * What every native kernel does with the wasm heap: views on its tensors, and an output allocated
 * there and filled in place.
 */
import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * A float32 view of `tensor` in the wasm heap. Take views after every allocation in the heap:
 * growing the heap detaches the older ones.
 */
export function heapFloats(backend: BackendWasm, tensor: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(tensor) as Float32Array;
}

/**
 * A float32 output of `shape` allocated in the wasm heap and filled by `fill`, which takes its
 * views itself (after the allocation). When `fill` throws, the output is released again: the
 * tfjs engine never learns of an output its kernel did not return.
 */
export function heapOutput(
  backend: BackendWasm,
  shape: readonly number[],
  fill: (output: tf.TensorInfo) => void,
): tf.TensorInfo {
  return heapOutputs(backend, [shape], ([output]) => fill(output))[0];
}

/**
 * Several float32 outputs of `shapes`, allocated in the wasm heap and filled together by `fill`
 * (which takes its views itself); released again, all of them, when `fill` throws.
 */
export function heapOutputs(
  backend: BackendWasm,
  shapes: readonly (readonly number[])[],
  fill: (outputs: readonly tf.TensorInfo[]) => void,
): tf.TensorInfo[] {
  const outputs: tf.TensorInfo[] = [];
  try {
    for (const shape of shapes) outputs.push(backend.makeOutput([...shape], 'float32'));
    fill(outputs);
  } catch (error) {
    for (const output of outputs) backend.disposeData(output.dataId);
    throw error;
  }
  return outputs;
}
