/**
 * Max-pooling's relevance routing as one native loop (native/onednn-kernels.cc): each window's
 * relevance onto its first maximal cell, four channels compared at once. The tfjs form
 * (layers/max-pooling.ts) lays every window out with a depthwise convolution and takes an arg-max:
 * 67 ms on VGG16's first pooling layer (224×224×64) against 2.1 ms here (one-off script, medians
 * of 15). Registered as a kernel of its own on the wasm backend, so
 * that tensors, tidy and memory accounting work as for any other operation.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats, heapOutput } from './heap-output';
import type { OneDnnAddon } from './onednn-addon';
import { poolGeometry } from './pool-geometry';

/** The kernel's name (no tfjs operation has it). */
export const ROUTE_TO_WINDOW_MAXIMA = 'RlrpRouteToWindowMaxima';

interface RouteAttrs {
  kernel: [number, number];
  strides: [number, number];
  /** Cells added before the first row and column (the padding at the end follows from shapes). */
  padBefore: [number, number];
}

/** The kernel's function: inputs `x` (the pooling's input) and `r` (its output's relevance). */
export function windowMaximaKernel(addon: OneDnnAddon): tf.KernelFunc {
  return (args) => {
    // Safe: registered on the wasm backend only (native-kernels.ts).
    const backend = args.backend as unknown as BackendWasm;
    // Safe: only routeToWindowMaximaNatively (below) runs this kernel, with these attributes.
    const attrs = args.attrs as unknown as RouteAttrs;
    const x = args.inputs.x as tf.TensorInfo;
    const r = args.inputs.r as tf.TensorInfo;
    return heapOutput(backend, x.shape, (output) =>
      addon.routeToWindowMaxima(
        heapFloats(backend, x),
        heapFloats(backend, r),
        heapFloats(backend, output),
        poolGeometry(
          x.shape,
          [r.shape[1], r.shape[2]],
          attrs.kernel,
          attrs.strides,
          attrs.padBefore,
        ),
      ),
    );
  };
}

/**
 * The relevance `r` of max pooling's windows routed onto `x`'s cells; the caller checks that the
 * native kernels are active and that both tensors are float32 and non-empty.
 */
export function routeToWindowMaximaNatively(
  x: tf.Tensor4D,
  r: tf.Tensor4D,
  kernel: readonly number[],
  strides: readonly number[],
  padBefore: readonly number[],
): tf.Tensor4D {
  const attrs: RouteAttrs = {
    kernel: [kernel[0], kernel[1]],
    strides: [strides[0], strides[1]],
    padBefore: [padBefore[0], padBefore[1]],
  };
  return tf
    .engine()
    .runKernel(
      ROUTE_TO_WINDOW_MAXIMA,
      { x, r },
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor4D;
}
