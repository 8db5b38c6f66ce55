/**
 * tfjs-backend-wasm 4.22's `Slice` reads its whole input out of the heap into a JavaScript copy
 * before cutting (`backend.readSync`): a 230×230×3 crop cost 3.4 ms, and it is a device read in
 * the middle of a backward pass, which an interactive session pays per click (ResNet-50's
 * zero-padding layers). This kernel copies the kept rows from the heap into the output directly;
 * strings still go to wasm's own.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Our own kernel functions, so that registering twice does not wrap ours. */
const replaced = new WeakSet<tf.KernelFunc>();

/** The kernel replacing `own` (wasm's `Slice`). */
function sliceFromHeap(own: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string' || x.shape.length === 0) return own.kernelFunc(args) as tf.TensorInfo;
    // Safe: registered on the wasm backend only (below).
    const backend = args.backend as unknown as BackendWasm;
    // Safe: tfjs calls this for Slice, whose attributes these are.
    const attrs = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
    const output = backend.makeOutput(size, x.dtype);
    if (size.some((d) => d === 0)) return output;
    // Views on the wasm heap are taken after every allocation in it: growing the heap detaches them.
    const from = backend.typedArrayFromHeap(x);
    const to = backend.typedArrayFromHeap(output);
    const rank = x.shape.length;
    const strides = tf.util.computeStrides(x.shape);
    if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
      // One block (a leading-axis slice, the widgets' sample of a batch): one copy.
      const offset = tf.slice_util.computeFlatOffset(begin, strides);
      to.set(from.subarray(offset, offset + to.length));
      return output;
    }
    // Trailing axes kept whole join the row: the longest run contiguous in both tensors (a
    // spatial crop of channels-last maps copies whole image rows, not one pixel's channels at
    // a time: 112 copies instead of 12 544 for ResNet-50's 114×114×64 crop).
    let last = rank - 1;
    while (last > 0 && begin[last] === 0 && size[last] === x.shape[last]) last--;
    const stride = (axis: number) => (axis < rank - 1 ? strides[axis] : 1);
    const row = size[last] * stride(last);
    // An odometer over the axes before `last`; each step copies one contiguous row.
    const index = new Array<number>(last).fill(0);
    for (let written = 0; written < to.length; written += row) {
      let offset = begin[last] * stride(last);
      for (let axis = 0; axis < last; axis++) offset += (begin[axis] + index[axis]) * strides[axis];
      if (row >= 64) {
        to.set(from.subarray(offset, offset + row), written);
      } else {
        // Short rows (a few channels): a loop beats making a subarray per row.
        for (let k = 0; k < row; k++) to[written + k] = from[offset + k];
      }
      for (let axis = last - 1; axis >= 0; axis--) {
        if (++index[axis] < size[axis]) break;
        index[axis] = 0;
      }
    }
    return output;
  };
}

/** Replaces wasm's `Slice` by {@link sliceFromHeap} (idempotent). */
export function registerWasmSliceFromHeap(): void {
  const own = tf.getKernel('Slice', 'wasm');
  if (!own || replaced.has(own.kernelFunc)) return;
  const kernelFunc = sliceFromHeap(own);
  replaced.add(kernelFunc);
  tf.unregisterKernel('Slice', 'wasm');
  tf.registerKernel({ ...own, kernelFunc });
}
