/**
 * The classical rules' `r / (d + ε·sign(d))` in one native pass (native/onednn-kernels.cc), with
 * tfjs' own values bit for bit. tfjs computes it as five elementwise kernels (negate, step,
 * multiply, subtract, divide), each a full pass over a layer's output on one wasm thread: the
 * ratio of every linear layer of an LRP-ε, z⁺ or γ explanation.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats, heapOutput } from './heap-output';
import type { OneDnnAddon } from './onednn-addon';

/** The kernel's name (no tfjs operation has it). */
export const STABILISED_RATIO = 'RlrpStabilisedRatio';

/** The kernel's function, registered on the wasm backend while the native kernels are active. */
export function stabilisedRatioKernel(addon: OneDnnAddon): tf.KernelFunc {
  return (args) => {
    // Safe: registered on the wasm backend only (native-kernels.ts).
    const backend = args.backend as unknown as BackendWasm;
    // Safe: only stabilisedRatioNatively (below) runs this kernel, with this attribute.
    const { epsilon } = args.attrs as unknown as { epsilon: number };
    const r = args.inputs.r as tf.TensorInfo;
    const d = args.inputs.d as tf.TensorInfo;
    return heapOutput(backend, r.shape, (output) =>
      addon.stabilisedRatio(
        heapFloats(backend, r),
        heapFloats(backend, d),
        epsilon,
        heapFloats(backend, output),
      ),
    );
  };
}

/**
 * `r / (d + ε·sign(d))`, sign(0) = +1; the caller checks that the native kernels are active, that
 * both tensors are float32 of one shape and not empty, and that ε is a number other than 0.
 */
export function stabilisedRatioNatively(r: tf.Tensor, d: tf.Tensor, epsilon: number): tf.Tensor {
  return tf.engine().runKernel(STABILISED_RATIO, { r, d }, { epsilon }) as tf.Tensor;
}
