/**
 * R-LRP's direct linear step in one native call (native/onednn-kernels.cc): the messages
 * `m = a ⊙ Wᵀ R`, their mass and the relevance's, and `m` renormalised to the relevance's mass.
 * tfjs computes it as seven kernels, four of them full passes over the layer's input on one wasm
 * thread (a product, two masses, a quotient, a broadcast product, a stack); this is three passes on
 * every thread, with the same float32 operations (rules/rlrp.ts, `uncheckedDirectStep`).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats, heapOutputs } from './heap-output';
import type { OneDnnAddon } from './onednn-addon';

/** The kernel's name (no tfjs operation has it). */
export const RLRP_DIRECT_STEP = 'RlrpDirectStep';

/** The kernel's function, registered on the wasm backend while the native kernels are active. */
export function rlrpDirectStepKernel(addon: OneDnnAddon): tf.KernelFunc {
  return (args) => {
    // Safe: registered on the wasm backend only (native-kernels.ts).
    const backend = args.backend as unknown as BackendWasm;
    const input = args.inputs.input as tf.TensorInfo;
    const back = args.inputs.back as tf.TensorInfo;
    const relevance = args.inputs.relevance as tf.TensorInfo;
    const batch = input.shape[0];
    return heapOutputs(backend, [input.shape, [batch, 2]], ([value, check]) =>
      addon.rlrpDirectStep(
        heapFloats(backend, input),
        heapFloats(backend, back),
        heapFloats(backend, relevance),
        batch,
        heapFloats(backend, value),
        heapFloats(backend, check),
      ),
    );
  };
}

/**
 * `{ value, check }` of R-LRP's direct step: `value = m · (Σ|R| / Σ|m|)` per sample with
 * `m = input ⊙ back`, and `check` the `[batch, 2]` masses `[Σ|m|, Σ|R|]`. The caller checks that
 * the native kernels are active, that all three tensors are float32 with one non-empty batch axis,
 * and that `back` has `input`'s shape.
 */
export function rlrpDirectStepNatively(
  input: tf.Tensor,
  back: tf.Tensor,
  relevance: tf.Tensor,
): { readonly value: tf.Tensor; readonly check: tf.Tensor2D } {
  const [value, check] = tf.engine().runKernel(RLRP_DIRECT_STEP, {
    input,
    back,
    relevance,
  }) as tf.Tensor[];
  return { value, check: check as tf.Tensor2D };
}
