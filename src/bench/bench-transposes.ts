/**
 * Transposed 3×3 convolutions on VGG16's shapes: the direct `tf.conv2d` with the flipped kernel
 * (the baseline) against Winograd F(2×2, 3×3) with its matrices made once, as a layer does from
 * its second explanation on (packages/core/src/layers/winograd.ts).
 *
 *   npm run bench:transposes              one JSON object per layer shape
 *   npm run bench:transposes -- --runs 9  more repetitions (default 5, after one warm-up)
 *
 * `speedup = direct_ms / winograd_ms` (wall-clock medians); `winograd_used` tells whether the
 * engine picks Winograd for that shape. On wasm's own kernels: with the native kernels (the
 * default where they are built) the engine transposes on oneDNN and never uses Winograd.
 */
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '@rlrp/core';
import { medians, timed } from './timing';
import {
  disposeWinogradKernel,
  winogradCorrelate3x3,
  winogradKernelOfFlipped,
  winogradPays,
} from '../../packages/core/src/layers/winograd';
import { flipConvKernel } from '../../packages/core/src/layers/window-transpose';

/** [spatial size, forward in-channels, forward out-channels] of VGG16's 3×3 layers, plus a few. */
const SHAPES: readonly [number, number, number][] = [
  [224, 3, 64],
  [224, 64, 64],
  [112, 64, 128],
  [112, 128, 128],
  [56, 128, 256],
  [56, 256, 256],
  [28, 256, 512],
  [28, 512, 512],
  [14, 512, 512],
  [28, 32, 64],
  [7, 512, 512],
];

/** Median wall-clock ms of `work` (its result read back) over `runs`, after one warm-up. */
function medianMs(work: () => tf.Tensor, runs: number): number {
  work().dispose(); // warm-up: XNNPACK packs the weights once
  const once = () =>
    timed(() => {
      const out = work();
      out.dataSync();
      out.dispose();
    });
  return medians(Array.from({ length: runs }, once)).wall;
}

async function main(): Promise<void> {
  // Winograd serves wasm's own convolutions only; the native kernels replace both sides.
  const engine = await initEngine({ nativeKernels: false });
  const at = process.argv.indexOf('--runs');
  const runs = at >= 0 ? Number(process.argv[at + 1]) : 5;
  for (const [size, inChannels, outChannels] of SHAPES) {
    const kernel = tf.randomNormal([3, 3, inChannels, outChannels], 0, 0.05, 'float32', 1);
    const relevance = tf.randomNormal([1, size, size, outChannels], 0, 1, 'float32', 2);
    const flipped = flipConvKernel(kernel as tf.Tensor4D);
    const swapped = kernel.transpose([0, 1, 3, 2]) as tf.Tensor4D;
    const winogradKernel = winogradKernelOfFlipped(swapped);
    const same: [[number, number], [number, number]] = [
      [1, 1],
      [1, 1],
    ];
    const direct = medianMs(() => tf.conv2d(relevance as tf.Tensor4D, flipped, 1, 'same'), runs);
    const winograd = medianMs(
      () => winogradCorrelate3x3(relevance as tf.Tensor4D, winogradKernel, same),
      runs,
    );
    const round = (ms: number) => Math.round(ms * 10) / 10;
    console.log(
      JSON.stringify({
        shape: `${size}x${size}, ${outChannels}->${inChannels}`,
        backend: engine.backend,
        direct_ms: round(direct),
        winograd_ms: round(winograd),
        speedup: Math.round((direct / winograd) * 100) / 100,
        winograd_used: winogradPays(outChannels, inChannels),
        runs,
      }),
    );
    disposeWinogradKernel(winogradKernel);
    tf.dispose([kernel, relevance, flipped, swapped]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
