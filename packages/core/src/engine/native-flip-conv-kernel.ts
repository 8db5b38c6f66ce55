/**
 * The transposed convolution's kernel, flipped spatially with its channels swapped, in one native
 * pass (native/onednn-kernels.cc). tfjs makes it with a matrix product by the reversal of the taps
 * and wasm's `Transpose`, which moves one element at a time: 52–80 ms for VGG16's 3×3×512×512
 * kernels. With the native kernels, stride-1 transposes flip their kernel inside the addon
 * instead (conv2dWithFlippedKernel, native-convolution.ts); this one serves the transposes that
 * keep a flipped tensor (dilated strided ones, negative transposed padding) and tests.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats, heapOutput } from './heap-output';
import type { OneDnnAddon } from './onednn-addon';

/** The kernel's name (no tfjs operation has it). */
export const FLIP_CONV_KERNEL = 'RlrpFlipConvKernel';

/** The kernel's function, registered on the wasm backend while the native kernels are active. */
export function flipConvKernelKernel(addon: OneDnnAddon): tf.KernelFunc {
  return (args) => {
    // Safe: registered on the wasm backend only (native-kernels.ts).
    const backend = args.backend as unknown as BackendWasm;
    const kernel = args.inputs.kernel as tf.TensorInfo;
    const [kh, kw, c, o] = kernel.shape;
    return heapOutput(backend, [kh, kw, o, c], (output) =>
      addon.flipConvKernel(heapFloats(backend, kernel), kernel.shape, heapFloats(backend, output)),
    );
  };
}

/**
 * `kernel` `[kh, kw, c, o]` flipped spatially with in and out swapped, `[kh, kw, o, c]`; the
 * caller checks that the native kernels are active and that the kernel is float32.
 */
export function flipConvKernelNatively(kernel: tf.Tensor4D): tf.Tensor4D {
  return tf.engine().runKernel(FLIP_CONV_KERNEL, { kernel }) as tf.Tensor4D;
}
