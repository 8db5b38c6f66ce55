/**
 * Peak tensor memory of an explanation (issue #14). On wasm the heap keeps its high-water mark for
 * good, so a temporary that lives until the end of a `tf.tidy` costs the process that memory for
 * its whole life. These tests pin, with `tf.profile`'s peak bytes, that the transients are
 * released as soon as they are read: by Winograd's correlation, by the backward pass (relevance
 * maps, and the forward tensors of a one-shot explanation) and by the classical rules — and that
 * the results are the same as the kept-everything paths.
 */
import * as tf from '@tensorflow/tfjs';
import {
  ExplainableModel,
  explain,
  explainCacheMemory,
  initEngine,
  releaseExplainCache,
} from '@rlrp/core';
import { winogradCorrelate3x3, winogradKernelOfFlipped } from '../src/layers/winograd';
import { flipSpatially } from '../src/layers/window-transpose';
import { expectNoTensorLeakPerTest } from './support/tensor-leak-check';

/** Peak bytes above what was live before `work`, and what `work` returned. */
async function peakAbove<T>(work: () => T): Promise<{ peak: number; result: T }> {
  const before = tf.memory().numBytes;
  let result: T | undefined;
  const info = await tf.profile(() => {
    result = work();
  });
  return { peak: info.peakBytes - before, result: result as T };
}

function maxAbsDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0]);
}

/** A chain of `depth` same-size 3×3 ReLU convolutions, then a pooled Dense classifier. */
function convChain(depth: number, size: number, channels: number): tf.LayersModel {
  const model = tf.sequential();
  for (let i = 0; i < depth; i++) {
    model.add(
      tf.layers.conv2d({
        filters: channels,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 11 + i }),
        biasInitializer: tf.initializers.randomUniform({ minval: 0, maxval: 0.1, seed: 3 + i }),
        ...(i === 0 ? { inputShape: [size, size, channels] } : {}),
      }),
    );
  }
  // (pooled: a Flatten would make the Dense kernel, reshaped in the forward pass, the peak)
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(
    tf.layers.dense({ units: 5, kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) }),
  );
  return model;
}

describe('peak memory of an explanation', () => {
  expectNoTensorLeakPerTest();

  it("Winograd's correlation holds at most the 16 products and one column of transforms at once", async () => {
    const [size, channels] = [32, 32];
    const x = tf.randomNormal([1, size, size, channels], 0, 1, 'float32', 1) as tf.Tensor4D;
    const swapped = tf.randomNormal([3, 3, channels, channels], 0, 1, 'float32', 2) as tf.Tensor4D;
    const kernel = winogradKernelOfFlipped(swapped);
    const padding = [
      [1, 1],
      [1, 1],
    ] as const;
    const { peak, result } = await peakAbove(() => winogradCorrelate3x3(x, kernel, padding));
    // One tile tensor: every 2×2 output block's value of one tap, all channels.
    const tileBytes = (size / 2) * (size / 2) * channels * 4;
    const paddedBytes = (size + 2) * (size + 2) * channels * 4;
    const columnBytes = (size + 2) * (size / 2) * channels * 4;
    // The 16 channel-mixed tiles, the padded input, one column transform and its 4 row transforms,
    // and the output (4 tiles) with a few tile-sized temporaries. Kept until the tidy's end, the
    // 16 transformed tiles, all 4 columns and the output transform's intermediates come on top
    // (≈ 70 tiles here).
    expect(peak).toBeLessThanOrEqual(paddedBytes + columnBytes + (16 + 4 + 4 + 4) * tileBytes);
    // The kernel's correlation filter: the taps flipped spatially (winograd.test.ts's convention).
    const filter = flipSpatially(swapped);
    const direct = tf.conv2d(x, filter, 1, 'same');
    expect(maxAbsDifference(result, direct)).toBeLessThan(1e-3);
    tf.dispose([
      x,
      swapped,
      filter,
      result,
      direct,
      ...kernel.matrices,
      ...kernel.columnFilters,
      ...kernel.rowFilters,
    ]);
  });

  it('flips kernels exactly (the reversal as the transposed left operand)', () => {
    const kernel = tf.randomNormal([3, 3, 4, 5], 0, 1, 'float32', 9) as tf.Tensor4D;
    const flipped = flipSpatially(kernel);
    const reversed = tf.reverse(kernel, [0, 1]);
    expect(maxAbsDifference(flipped, reversed)).toBe(0);
    tf.dispose([kernel, flipped, reversed]);
  });

  for (const rule of ['epsilon', 'rlrp', 'EpsilonPlusFlat'] as const) {
    it(`${rule}: a one-shot explanation's peak stays near the forward pass's, not its sum with every layer's relevance`, async () => {
      const [depth, size, channels] = [10, 16, 8];
      const model = convChain(depth, size, channels);
      const input = tf.randomUniform([1, size, size, channels], 0, 1, 'float32', 5);
      const explainable = new ExplainableModel(model);
      // The kept graph prepares its kernels (flips, rewrites) on the first explanation: warm it up,
      // so the profiles below count only what every explanation allocates.
      explainable.explain(input, { rule }).dispose();
      explainable.explain(input, { rule }).dispose();

      const mapBytes = size * size * channels * 4;
      const oneShot = await peakAbove(() => explainable.explain(input, { rule }));
      // The forward pass keeps each layer's pre-activation and output (2 maps per layer), and the
      // first layers of the backward pass add a few temporaries while all of it still lives; a
      // backward pass that kept every layer's relevance and the rules' temporaries to the end
      // would add several maps per layer on top.
      expect(oneShot.peak).toBeLessThan((2 * depth + 8) * mapBytes);

      // A session keeps its forward pass for further explanations; the one-shot path releases it
      // during the backward pass, with the same relevance.
      const session = explainable.prepare(input);
      const kept = session.explain({ rule });
      expect(maxAbsDifference(kept.relevance, oneShot.result.relevance)).toBe(0);
      const again = session.explain({ rule });
      expect(maxAbsDifference(again.relevance, kept.relevance)).toBe(0);
      tf.dispose([input]);
      kept.dispose();
      again.dispose();
      oneShot.result.dispose();
      session.dispose();
      explainable.dispose();
      model.dispose();
    });
  }

  describe("on wasm's own kernels (Winograd serves them; the native kernels replace it)", () => {
    beforeAll(async () => {
      await initEngine({ engine: 'wasm', nativeKernels: false });
    });
    afterAll(async () => {
      await initEngine({ engine: 'wasm' });
    });

    it("keeps no flipped kernel for a layer that switches to Winograd, only Winograd's kernel", () => {
      // 64→64 3×3 layers: Winograd pays, from their second transpose on.
      const model = convChain(2, 8, 64);
      const input = tf.randomUniform([1, 8, 8, 64], 0, 1, 'float32', 8);
      explain(model, input, { rule: 'epsilon' }).dispose();
      // LRP-ε rewrites no weights; the first (direct) transposes flipped the kernels only for the
      // call: the cache holds less than one flipped kernel (a few scalars at most).
      const kernelBytes = 3 * 3 * 64 * 64 * 4;
      expect(explainCacheMemory().bytes).toBeLessThan(kernelBytes / 100);
      explain(model, input, { rule: 'epsilon' }).dispose();
      // Then each layer keeps its 16 Winograd matrices (64×64) and the transform's filters.
      const matrixBytes = 2 * 16 * 64 * 64 * 4;
      expect(explainCacheMemory().bytes).toBeGreaterThanOrEqual(matrixBytes);
      expect(explainCacheMemory().bytes).toBeLessThan(1.1 * matrixBytes);
      releaseExplainCache();
      tf.dispose(input);
      model.dispose();
    });
  });

  it('explainOnce ends its session: explaining again is refused', () => {
    const model = convChain(2, 8, 4);
    const input = tf.randomUniform([1, 8, 8, 4], 0, 1, 'float32', 6);
    const explainable = new ExplainableModel(model);
    const session = explainable.prepare(input);
    const once = session.explainOnce({ rule: 'epsilon' });
    expect(() => session.explain({ rule: 'epsilon' })).toThrow(/disposed/);
    once.dispose();
    tf.dispose(input);
    explainable.dispose();
    model.dispose();
  });
});
