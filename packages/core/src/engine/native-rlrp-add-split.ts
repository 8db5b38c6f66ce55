/**
 * R-LRP's Add split in one native pass (native/onednn-kernels.cc): every summand's share
 * `u_i / y ⊙ R_y` (`R_y / n` where `y = 0`) and the shares' total mass per sample. tfjs computes it
 * as about a dozen elementwise kernels over the Add's output, each a pass on one wasm thread
 * (rules/rlrp-add-split.ts, `splitOnEngine`); the native pass makes the same float32 operations in
 * the same order on every thread.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats, heapOutputs } from './heap-output';
import type { OneDnnAddon } from './onednn-addon';

/** The kernel's name (no tfjs operation has it). */
export const RLRP_ADD_SPLIT = 'RlrpAddSplit';

/** The kernel's function, registered on the wasm backend while the native kernels are active. */
export function rlrpAddSplitKernel(addon: OneDnnAddon): tf.KernelFunc {
  return (args) => {
    // Safe: registered on the wasm backend only (native-kernels.ts).
    const backend = args.backend as unknown as BackendWasm;
    const output = args.inputs.output as tf.TensorInfo;
    const relevance = args.inputs.relevance as tf.TensorInfo;
    // Safe: rlrpAddSplitNatively (below) names the summands input0, input1, …, in order.
    const { count } = args.attrs as unknown as { count: number };
    const summands = Array.from(
      { length: count },
      (_, i) => args.inputs[`input${i}`] as tf.TensorInfo,
    );
    const batch = output.shape[0];
    const shapes = [...summands.map(() => output.shape), [batch]];
    return heapOutputs(backend, shapes, (outputs) =>
      addon.rlrpAddSplit(
        summands.map((u) => heapFloats(backend, u)),
        heapFloats(backend, output),
        heapFloats(backend, relevance),
        batch,
        outputs.slice(0, count).map((share) => heapFloats(backend, share)),
        heapFloats(backend, outputs[count]),
      ),
    );
  };
}

/**
 * Each summand's share of the Add's relevance, and `check`, the shares' total mass per sample
 * (`[batch]`). The caller checks that the native kernels are active and that every tensor is
 * float32 of the Add output's shape, with a non-empty batch axis.
 */
export function rlrpAddSplitNatively(
  inputs: readonly tf.Tensor[],
  output: tf.Tensor,
  relevance: tf.Tensor,
): { readonly shares: tf.Tensor[]; readonly check: tf.Tensor1D } {
  const named: tf.NamedTensorMap = { output, relevance };
  inputs.forEach((u, i) => (named[`input${i}`] = u));
  const results = tf.engine().runKernel(RLRP_ADD_SPLIT, named, {
    count: inputs.length,
  }) as tf.Tensor[];
  return {
    shares: results.slice(0, inputs.length),
    check: results[inputs.length] as tf.Tensor1D,
  };
}
