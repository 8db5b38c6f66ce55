/**
 * `[0, min x]` when every element of a tensor is finite, `[NaN, NaN]` otherwise, in one native pass
 * on every thread. The forward pass's overflow check (forward-check.ts) reduces every activation to
 * one and reads them all at once; the minima tell the rules which inputs are non-negative, which
 * they would otherwise read layer by layer (rules/known-signs.ts). tfjs' form of the check, `x · 0`
 * summed, copies each activation and sums it on one wasm thread (18 of the 70 ms of an MNIST CNN
 * explanation at batch 256).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats, heapOutput } from './heap-output';
import type { OneDnnAddon } from './onednn-addon';

/** The kernel's name (no tfjs operation has it). */
export const FINITE_MINIMUM = 'RlrpFiniteMinimum';

/** The kernel's function, registered on the wasm backend while the native kernels are active. */
export function finiteMinimumKernel(addon: OneDnnAddon): tf.KernelFunc {
  return (args) => {
    // Safe: registered on the wasm backend only (native-kernels.ts).
    const backend = args.backend as unknown as BackendWasm;
    const x = args.inputs.x as tf.TensorInfo;
    return heapOutput(backend, [2], (output) => {
      const minimum = addon.finiteMinimum(heapFloats(backend, x));
      heapFloats(backend, output).set([Number.isNaN(minimum) ? NaN : 0, minimum]);
    });
  };
}

/**
 * `[0, min x]` when every element of `x` is finite, `[NaN, NaN]` otherwise (not yet read from the
 * device); the caller checks that the native kernels are active and that `x` is float32.
 */
export function finiteMinimumNatively(x: tf.Tensor): tf.Tensor1D {
  return tf.engine().runKernel(FINITE_MINIMUM, { x }) as tf.Tensor1D;
}
