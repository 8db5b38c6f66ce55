/**
 * A scalar that is 0 when every element of a tensor is finite and NaN otherwise: the forward
 * pass's overflow check (forward-check.ts) reduces every activation to one and reads them all at
 * once. tfjs' form, `x · 0` summed, makes a copy of each activation and sums it on one wasm
 * thread (18 of the 70 ms of an MNIST CNN explanation at batch 256); the native one reads each
 * activation once, on every thread.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { OneDnnAddon } from './onednn-addon';

/** The kernel's name (no tfjs operation has it). */
export const FINITENESS_PROBE = 'RlrpFinitenessProbe';

/** The kernel's function, registered on the wasm backend while the native kernels are active. */
export function finitenessProbeKernel(addon: OneDnnAddon): tf.KernelFunc {
  return (args) => {
    // Safe: registered on the wasm backend only (native-kernels.ts).
    const backend = args.backend as unknown as BackendWasm;
    const x = args.inputs.x as tf.TensorInfo;
    const output = backend.makeOutput([], 'float32');
    // Views on the wasm heap are taken after every allocation in it: growing the heap detaches them.
    const finite = addon.allFinite(backend.typedArrayFromHeap(x) as Float32Array);
    (backend.typedArrayFromHeap(output) as Float32Array)[0] = finite ? 0 : NaN;
    return output;
  };
}

/**
 * 0 when every element of `x` is finite, NaN otherwise (a scalar, not yet read from the device);
 * the caller checks that the native kernels are active and that `x` is float32.
 */
export function finitenessProbeNatively(x: tf.Tensor): tf.Scalar {
  return tf.engine().runKernel(FINITENESS_PROBE, { x }) as tf.Scalar;
}
