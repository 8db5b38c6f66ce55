/**
 * The wasm backend's `BatchMatMul` and `_FusedMatMul` on oneDNN's matrix product. Why: a dense
 * layer's weights are the largest operand an explanation reads (VGG16's first dense layer: 25088 ×
 * 4096, 411 MB), and wasm's product spent about 90 ms per product on VGG16's dense layers against a
 * few for oneDNN's. Operands stay in the wasm heap; each batch entry is one product.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats, heapOutput } from './heap-output';
import type { OneDnnAddon } from './onednn-addon';

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
}

/** The kernel replacing `own` (wasm's `BatchMatMul` or `_FusedMatMul`), which serves what it cannot. */
export function nativeMatMulKernel(addon: OneDnnAddon, own: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    // Safe: registered on the wasm backend only (native-kernels.ts).
    const backend = args.backend as unknown as BackendWasm;
    // Safe: tfjs calls this for BatchMatMul and _FusedMatMul, whose attributes these are.
    const attrs = args.attrs as unknown as MatMulAttrs;
    const a = args.inputs.a as tf.TensorInfo;
    const b = args.inputs.b as tf.TensorInfo;
    const bias = args.inputs.bias as tf.TensorInfo | undefined;
    const activation = attrs.activation ?? 'linear';
    // tfjs hands over matrices (rank 2) or batches of them (rank 3).
    const rankServable = (t: tf.TensorInfo) => t.shape.length === 2 || t.shape.length === 3;
    if (!rankServable(a) || !rankServable(b)) return own.kernelFunc(args) as tf.TensorInfo;
    const [batchA, rowsA, columnsA] = a.shape.length === 3 ? a.shape : [1, ...a.shape];
    const [batchB, rowsB, columnsB] = b.shape.length === 3 ? b.shape : [1, ...b.shape];
    const m = attrs.transposeA ? columnsA : rowsA;
    const k = attrs.transposeA ? rowsA : columnsA;
    const n = attrs.transposeB ? rowsB : columnsB;
    const batch = Math.max(batchA, batchB);
    const servable =
      a.dtype === 'float32' &&
      b.dtype === 'float32' &&
      (attrs.transposeB ? columnsB : rowsB) === k &&
      (batchA === batchB || batchA === 1 || batchB === 1) &&
      (activation === 'linear' || activation === 'relu') &&
      args.inputs.preluActivationWeights === undefined &&
      (bias === undefined ||
        (bias.dtype === 'float32' && bias.shape.length === 1 && bias.shape[0] === n)) &&
      m > 0 &&
      n > 0 &&
      k > 0 &&
      batch > 0;
    if (!servable) return own.kernelFunc(args) as tf.TensorInfo;

    const both2d = a.shape.length === 2 && b.shape.length === 2;
    return heapOutput(backend, both2d ? [m, n] : [batch, m, n], (output) => {
      const as = heapFloats(backend, a);
      const bs = heapFloats(backend, b);
      const out = heapFloats(backend, output);
      if (bias !== undefined) {
        // The product accumulates onto the bias, one copy of it per row.
        const biasValues = heapFloats(backend, bias);
        for (let row = 0; row < batch * m; row++) out.set(biasValues, row * n);
      }
      for (let i = 0; i < batch; i++) {
        const ai = batchA === 1 ? 0 : i;
        const bi = batchB === 1 ? 0 : i;
        addon.gemm(
          attrs.transposeA,
          attrs.transposeB,
          m,
          n,
          k,
          as.subarray(ai * m * k, (ai + 1) * m * k),
          bs.subarray(bi * k * n, (bi + 1) * k * n),
          out.subarray(i * m * n, (i + 1) * m * n),
          bias !== undefined,
        );
      }
      if (activation === 'relu') {
        for (let i = 0; i < out.length; i++) if (out[i] < 0) out[i] = 0; // NaN stays, as in tfjs
      }
    });
  };
}
