import * as tf from '@tensorflow/tfjs';
import { DerivedParams } from './derived-params';
import type { LinearOp, LinearParams } from './linear-op';

/*
 * Kernels of 64 MiB and more are multiplied in their own layout on wasm, never packed. tfjs-wasm
 * hands `a · K` to XNNPACK, which keeps a packed copy of K (as large as K, in the wasm heap, which
 * never shrinks) for as long as K lives; model.predict keeps another one. Of the shipped
 * architectures only VGG's fc1 (25088×4096, 411 MB) and fc2 (4096×4096, 64 MiB) are that large:
 * their packed copies were the largest single part of an explanation's peak memory. The price is
 * speed: the unpacked product is tfjs-wasm's scalar blocked loop, 0.6–1.6 s for fc1 against
 * 23–100 ms packed, 70–300 ms for fc2 against 4–9 ms (at load 9–11 on 2 cores), though packing costs
 * 5–7 s and 0.6–1.5 s the first time. Below the size threshold packing is cheap and pays; above the
 * batch limit the loop's cost, linear in the batch, outgrows the one-time packing (a dataset run).
 */
const UNPACKED_KERNEL_BYTES = 64 * 2 ** 20;
const UNPACKED_MAX_BATCH = 4;

/** A Dense layer `z = a K + b` on `[batch, in]` inputs. */
export class DenseOp implements LinearOp {
  /** Rewritten parameters rules ask for (w⁺, w², …), kept with the layer. */
  readonly derived: DerivedParams;

  constructor(
    readonly params: LinearParams,
    /** Tensors this op owns (e.g. a kernel folded with batch norm) and must dispose. */
    private readonly owned: tf.Tensor[] = [],
    /** Kernel bytes from which the wasm forward product reads the kernel unpacked. */
    private readonly unpackedKernelBytes = UNPACKED_KERNEL_BYTES,
  ) {
    this.derived = new DerivedParams(params);
  }

  forward(a: tf.Tensor, p: LinearParams = this.params): tf.Tensor {
    const kernel = p.weight as tf.Tensor2D;
    if (this.keepsUnpacked(kernel, a.shape[0])) {
      // (Kᵀ aᵀ)ᵀ: with K as the transposed left operand, tfjs-wasm runs its own blocked product,
      // which reads K where it lies.
      return tf.tidy(() => {
        const z = tf.matMul(kernel, a as tf.Tensor2D, true, true).transpose();
        return p.bias ? z.add(p.bias) : z;
      });
    }
    return tf.fused.matMul({ a: a as tf.Tensor2D, b: kernel, bias: p.bias ?? undefined });
  }

  /** Whether `forward` multiplies a batch of `batch` by this kernel without XNNPACK's packed copy. */
  keepsUnpacked(kernel: tf.Tensor, batch: number): boolean {
    return (
      tf.getBackend() === 'wasm' &&
      kernel.size * 4 >= this.unpackedKernelBytes &&
      batch <= UNPACKED_MAX_BATCH
    );
  }

  transpose(
    s: tf.Tensor,
    _inputShape: readonly number[],
    p: LinearParams = this.params,
  ): tf.Tensor {
    // (K · sᵀ)ᵀ with an explicitly transposed (small) s: on wasm this reads the kernel in its own
    // layout, 58 ms instead of 92 ms for `matMul(s, K, false, true)` on VGG16's 25088×4096 kernel.
    return tf.tidy(() =>
      tf.matMul(p.weight as tf.Tensor2D, (s as tf.Tensor2D).transpose()).transpose(),
    );
  }

  dispose(): void {
    this.derived.dispose();
    for (const t of this.owned) t.dispose();
  }
}
