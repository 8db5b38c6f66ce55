/**
 * The tfjs wasm backend (4.22) has no `Conv2DBackpropFilter` kernel, so `model.fit` of any Conv2D
 * model fails there ("kernel not registered"). Training runs on wasm anyway (the cpu backend is ~17×
 * slower on convolutions), so this file registers that one kernel for wasm (im2col in JS, then the
 * wasm matrix product). Only training needs it: the relevance engine never asks for filter
 * gradients, so `initEngine` registers it only with `{ training: true }`.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** dW[kh, kw, ci, co] = Σ_{n, oh, ow} x[n, oh·sh + kh − padTop, ow·sw + kw − padLeft, ci] · dy[n, oh, ow, co]. */
function conv2DBackpropFilterWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  // Safe: registered for the wasm backend only (below), so tfjs passes its BackendWasm here.
  const backend = args.backend as BackendWasm;
  const x = args.inputs.x as tf.TensorInfo;
  const dy = args.inputs.dy as tf.TensorInfo;
  // Safe: tfjs calls this kernel for Conv2DBackpropFilter only, always with that op's attributes.
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (attrs.dataFormat !== 'NHWC') {
    throw new Error('Conv2DBackpropFilter on wasm: only NHWC (channels last) is implemented.');
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  // im2col: one row per output position, one column per (kh, kw, ci); zero where the window
  // hangs over the padding. Then dW = patchesᵀ · dy as one wasm (XNNPACK) matrix product, which
  // is several times faster than accumulating the products in JavaScript.
  const rows = batchSize * outHeight * outWidth;
  const columns = filterHeight * filterWidth * inChannels;
  const patches = backend.makeOutput([1, rows, columns], 'float32');
  const patchValues = backend.typedArrayFromHeap(patches) as Float32Array;
  // Views on the wasm heap are taken after the allocation: growing the heap detaches older views.
  const xs = backend.typedArrayFromHeap(x) as Float32Array;
  patchValues.fill(0);
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const row = ((n * outHeight + oh) * outWidth + ow) * columns;
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight + kh - padTop;
          if (ih < 0 || ih >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * strideWidth + kw - padLeft;
            if (iw < 0 || iw >= inWidth) continue;
            const from = ((n * inHeight + ih) * inWidth + iw) * inChannels;
            patchValues.set(
              xs.subarray(from, from + inChannels),
              row + (kh * filterWidth + kw) * inChannels,
            );
          }
        }
      }
    }
  }
  const dyAsMatrix: tf.TensorInfo = {
    dataId: dy.dataId,
    shape: [1, rows, outChannels],
    dtype: 'float32',
  };
  const batchMatMul = tf.getKernel('BatchMatMul', 'wasm');
  if (!batchMatMul) throw new Error('The wasm backend has no BatchMatMul kernel.');
  const product = batchMatMul.kernelFunc({
    inputs: { a: patches, b: dyAsMatrix },
    backend: args.backend,
    attrs: { transposeA: true, transposeB: false },
  }) as tf.TensorInfo;
  backend.disposeData(patches.dataId);
  return { dataId: product.dataId, shape: attrs.filterShape, dtype: 'float32' };
}

/** Registers the training kernels the wasm backend lacks (idempotent). */
export function registerWasmTrainingKernels(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: conv2DBackpropFilterWasm as tf.KernelFunc,
  });
}
