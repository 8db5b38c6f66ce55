/**
 * The wasm backend's `MaxPool` (channels last, float32) as one native loop
 * (native/onednn-kernels.cc), four channels compared at once on every thread. Why: wasm's own
 * kernel runs on one thread, and took 5.0–6.1 ms of the 30–41 ms of kernels in an MNIST CNN
 * explanation at batch 256 (tf.profile, both pooling layers).
 *
 * What it returns where wasm's own differs: a window holding a NaN gives NaN, as in PyTorch
 * (wasm's gives −Infinity when the NaN is the window's first cell and ignores it elsewhere, tfjs
 * 4.22); of equal cells (+0 and −0) the first in row-major order is kept, which wasm's also keeps
 * for 2×2 windows but not for all 3×3 ones. Every other value is the same: a maximum is one of
 * the cells.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats, heapOutput } from './heap-output';
import type { OneDnnAddon } from './onednn-addon';
import { everyWindowTouchesInput, poolGeometry } from './pool-geometry';

/** The kernel replacing `own` (wasm's `MaxPool`), which serves what it cannot. */
export function nativeMaxPoolKernel(addon: OneDnnAddon, own: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    // Safe: registered on the wasm backend only (native-kernels.ts).
    const backend = args.backend as unknown as BackendWasm;
    // Safe: tfjs calls this for MaxPool, whose attributes these are.
    const attrs = args.attrs as unknown as tf.MaxPoolAttrs;
    const x = args.inputs.x as tf.TensorInfo;
    const servable =
      x.dtype === 'float32' &&
      x.shape.length === 4 &&
      x.shape.every((d) => d > 0) &&
      // Rounding up can leave a window wholly in the padding: wasm's own decides what it gives.
      (attrs.dimRoundingMode === undefined || attrs.dimRoundingMode === 'floor');
    if (!servable) return own.kernelFunc(args) as tf.TensorInfo;
    const info = tf.backend_util.computePool2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterSize,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const outSize: [number, number] = [info.outHeight, info.outWidth];
    const kernel: [number, number] = [info.filterHeight, info.filterWidth];
    const strides: [number, number] = [info.strideHeight, info.strideWidth];
    const padBefore: [number, number] = [info.padInfo.top, info.padInfo.left];
    // So does padding of a window's size or more (a numeric or explicit pad); and no output.
    if (
      info.outShape.some((d) => d <= 0) ||
      !everyWindowTouchesInput([x.shape[1], x.shape[2]], outSize, kernel, strides, padBefore)
    ) {
      return own.kernelFunc(args) as tf.TensorInfo;
    }
    return heapOutput(backend, info.outShape, (output) =>
      addon.maxPool(
        heapFloats(backend, x),
        heapFloats(backend, output),
        poolGeometry(x.shape, outSize, kernel, strides, padBefore),
      ),
    );
  };
}
