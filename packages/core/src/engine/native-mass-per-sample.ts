/**
 * `Σ|x|` per sample in one native pass (native/onednn-kernels.cc): R-LRP takes
 * two of these per layer and Add (its renormalisation and its checks), which tfjs computes as an
 * absolute value and a sum, two passes on one wasm thread (36 of the 235 ms of a ResNet-50 R-LRP
 * explanation, 287 kernel calls).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats, heapOutput } from './heap-output';
import type { OneDnnAddon } from './onednn-addon';

/** The kernel's name (no tfjs operation has it). */
export const MASS_PER_SAMPLE = 'RlrpMassPerSample';

/** The kernel's function, registered on the wasm backend while the native kernels are active. */
export function massPerSampleKernel(addon: OneDnnAddon): tf.KernelFunc {
  return (args) => {
    // Safe: registered on the wasm backend only (native-kernels.ts).
    const backend = args.backend as unknown as BackendWasm;
    const x = args.inputs.x as tf.TensorInfo;
    const batch = x.shape[0];
    return heapOutput(backend, [batch], (output) =>
      addon.massPerSample(heapFloats(backend, x), batch, heapFloats(backend, output)),
    );
  };
}

/**
 * `Σ|x|` per sample (`[batch]`); the caller checks that the native kernels are active and that `x`
 * is float32 with a non-empty batch axis.
 */
export function massPerSampleNatively(x: tf.Tensor): tf.Tensor1D {
  return tf.engine().runKernel(MASS_PER_SAMPLE, { x }) as tf.Tensor1D;
}
