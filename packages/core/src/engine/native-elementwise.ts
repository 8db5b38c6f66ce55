/**
 * The wasm backend's `Multiply`, `Add`, `AddN` and `Relu` on float32 tensors of one shape as
 * native loops on every thread (native/onednn-kernels.cc), with wasm's values bit for bit. Why:
 * wasm's run on one thread, and an explanation makes many of them, each over a layer's output: in
 * a ResNet-50 LRP-ε explanation 91 products, 16 sums of each kind and 49 rectifiers took 15.9 ms
 * of 100.8 ms of kernels (tf.profile). Broadcasting, other dtypes and empty tensors stay wasm's.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats, heapOutput } from './heap-output';
import type { OneDnnAddon } from './onednn-addon';

/** What each replaced kernel computes on the addon, by the wasm kernel's name. */
const COMPUTE: Readonly<
  Record<string, (addon: OneDnnAddon) => (inputs: Float32Array[], out: Float32Array) => void>
> = {
  Multiply:
    (addon) =>
    ([a, b], out) =>
      addon.multiply(a, b, out),
  Add:
    (addon) =>
    ([a, b], out) =>
      addon.add(a, b, out),
  AddN: (addon) => (inputs, out) => addon.addN(inputs, out),
  Relu:
    (addon) =>
    ([x], out) =>
      addon.relu(x, out),
};

/** The wasm kernels these replace. */
export const ELEMENTWISE_KERNELS: readonly string[] = Object.keys(COMPUTE);

/** Whether every tensor is float32, not empty, and of the first one's shape. */
function sameFloatShape(tensors: readonly tf.TensorInfo[]): boolean {
  const [first] = tensors;
  return (
    first !== undefined &&
    first.shape.every((d) => d > 0) &&
    tensors.every((t) => t.dtype === 'float32' && tf.util.arraysEqual(t.shape, first.shape))
  );
}

/** The kernel replacing `own` (one of {@link ELEMENTWISE_KERNELS}), which serves what it cannot. */
export function nativeElementwiseKernel(addon: OneDnnAddon, own: tf.KernelConfig): tf.KernelFunc {
  const compute = COMPUTE[own.kernelName](addon);
  return (args) => {
    // Safe: registered on the wasm backend only (native-kernels.ts).
    const backend = args.backend as unknown as BackendWasm;
    // AddN's inputs are numbered; the others' are named (a, b or x): in tfjs' order either way.
    const inputs = Object.values(args.inputs) as tf.TensorInfo[];
    if (!sameFloatShape(inputs)) return own.kernelFunc(args) as tf.TensorInfo;
    return heapOutput(backend, inputs[0].shape, (output) =>
      compute(
        inputs.map((t) => heapFloats(backend, t)),
        heapFloats(backend, output),
      ),
    );
  };
}
