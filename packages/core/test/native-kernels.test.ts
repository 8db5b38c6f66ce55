/**
 * The native kernels (oneDNN, packages/core/native) against the wasm backend's own kernels they
 * replace, on the same inputs: convolutions of every stride, dilation, padding, bias and fused
 * activation, transposed convolutions, matrix products of every transpose and batch form, max
 * pooling and its routing, the finite minimum, the mass per sample and the flipped kernel of a
 * transposed convolution; calls they cannot serve reach wasm's kernel; the packed filters are
 * released with their tensors and bounded; switching them off restores wasm's.
 *
 * `npm test` installs g++ and libdnnl-dev and builds the addon, so here it must be active.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import { Worker } from 'worker_threads';
import { EngineError } from '../src/errors';
import { initEngine } from '../src/engine/init-engine';
import {
  limitNativeThreads,
  nativeFilterCache,
  nativeKernelsActive,
} from '../src/engine/native-kernels';
import { heapOutput } from '../src/engine/heap-output';
import { adviseHugePagesForWasmHeap } from '../src/engine/wasm-heap-pages';
import { finiteMinimumNatively } from '../src/engine/native-finite-minimum';
import { massPerSampleNatively } from '../src/engine/native-mass-per-sample';
import {
  loadOneDnnAddon,
  NATIVE_ADDON_PATH,
  type NativePlan,
  type OneDnnAddon,
} from '../src/engine/onednn-addon';
import { PackedFilterCache } from '../src/engine/packed-filter-cache';
import { stabilisedRatio } from '../src/rules/stabilise';
import { flipConvKernel } from '../src/layers/window-transpose';
import { Conv2DOp } from '../src/layers/conv2d';
import {
  CONV2D_WITH_FLIPPED_KERNEL,
  conv2dWithFlippedKernel,
  NativeConvolutions,
} from '../src/engine/native-convolution';
import { routeToWindowMaxima } from '../src/layers/max-pooling';
import { NATIVE, WASM_OWN, withNativeEngine } from './support/native-engine';
import { expectNoTensorLeakPerTest } from './support/tensor-leak-check';

expectNoTensorLeakPerTest();

withNativeEngine();

/** `op`'s values and shape with the native kernels, then with wasm's own. */
async function bothWays(op: () => tf.Tensor): Promise<{
  native: Float32Array;
  wasm: Float32Array;
  nativeShape: number[];
  wasmShape: number[];
}> {
  await initEngine(NATIVE);
  expect(nativeKernelsActive()).toBe(true);
  const native = tf.tidy(op);
  await initEngine(WASM_OWN);
  expect(nativeKernelsActive()).toBe(false);
  const wasm = tf.tidy(op);
  await initEngine(NATIVE);
  const result = {
    native: native.dataSync() as Float32Array,
    wasm: wasm.dataSync() as Float32Array,
    nativeShape: native.shape,
    wasmShape: wasm.shape,
  };
  tf.dispose([native, wasm]);
  return result;
}

/** Same shape; every value within `rel` of the largest magnitude (float32 sums differ in order). */
function expectClose(result: Awaited<ReturnType<typeof bothWays>>, rel = 1e-5): void {
  expect(result.nativeShape).toEqual(result.wasmShape);
  const scale = result.wasm.reduce((peak, w) => Math.max(peak, Math.abs(w)), 1e-30);
  let worst = 0;
  result.wasm.forEach((w, i) => {
    worst = Math.max(worst, Math.abs(result.native[i] - w));
  });
  expect(worst).toBeLessThanOrEqual(rel * scale);
}

/** {@link expectClose} for a tensor computed natively against one computed by tfjs' own kernels. */
function expectTensorClose(native: tf.Tensor, wasm: tf.Tensor): void {
  expectClose({
    native: native.dataSync() as Float32Array,
    wasm: wasm.dataSync() as Float32Array,
    nativeShape: native.shape,
    wasmShape: wasm.shape,
  });
}

/** The addon and wasm's own `Conv2D` (which the native kernels replace), on the native engine. */
async function nativeEngineParts(): Promise<{ addon: OneDnnAddon; conv2D: tf.KernelConfig }> {
  await initEngine(NATIVE);
  const { addon } = loadOneDnnAddon();
  if (!addon) throw new Error('the addon must load here');
  const conv2D = tf.getKernel('Conv2D', 'wasm');
  if (!conv2D) throw new Error('wasm has Conv2D');
  return { addon, conv2D };
}

function seeded(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

/**
 * A 56×56×64 input (a layer that takes Winograd's kernels) of seeded normals with one Infinity and
 * one NaN.
 */
function withInfinityAndNaN(seed: number): tf.Tensor4D {
  return tf.tidy(() => {
    const values = seeded([1, 56, 56, 64], seed).dataSync().slice();
    values[(20 * 56 + 20) * 64 + 5] = Infinity;
    values[(40 * 56 + 9) * 64 + 17] = NaN;
    return tf.tensor4d(values, [1, 56, 56, 64]);
  });
}

describe('the addon', () => {
  it('is built and active on the wasm engine (npm test installs g++ and libdnnl-dev)', async () => {
    expect(fs.existsSync(NATIVE_ADDON_PATH)).toBe(true);
    const info = await initEngine(NATIVE);
    expect(info.nativeKernels).toMatchObject({ active: true, threads: info.threads.count });
    expect(info.nativeKernels.library).toMatch(/^\d+\.\d+\.\d+$/);
    expect(info.nativeKernels.kernels).toEqual(
      expect.arrayContaining(['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'BatchMatMul']),
    );
  });

  it('is switched off by the option and by RLRP_NATIVE_KERNELS=0, and says why', async () => {
    const off = await initEngine(WASM_OWN);
    expect(off.nativeKernels).toMatchObject({ active: false, library: null, threads: null });
    expect(off.nativeKernels.reason).toContain('option "nativeKernels"');
    const fromEnv = await initEngine({ engine: 'wasm', env: { RLRP_NATIVE_KERNELS: '0' } });
    expect(fromEnv.nativeKernels.active).toBe(false);
    expect(fromEnv.nativeKernels.reason).toContain('RLRP_NATIVE_KERNELS');
    await initEngine(NATIVE);
    expect(nativeKernelsActive()).toBe(true);
  });

  it('rejects an RLRP_NATIVE_KERNELS that is neither 0 nor 1, naming both', async () => {
    const error = await initEngine({ engine: 'wasm', env: { RLRP_NATIVE_KERNELS: 'yes' } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EngineError);
    expect((error as Error).message).toMatch(/RLRP_NATIVE_KERNELS="yes".*1.*0/);
  });

  it('are not used by the cpu backend', async () => {
    const cpu = await initEngine({ engine: 'cpu' });
    expect(cpu.nativeKernels.active).toBe(false);
    expect(cpu.nativeKernels.reason).toContain('cpu backend');
    await initEngine(NATIVE);
    expect(nativeKernelsActive()).toBe(true);
  });
});

describe('limitNativeThreads (this thread beside a pool’s workers)', () => {
  it('caps this thread’s oneDNN threads until restored, and leaves a smaller count alone', async () => {
    const { addon } = loadOneDnnAddon();
    if (!addon) throw new Error('the addon is built on this machine (see the first test)');
    await initEngine({ ...NATIVE, threads: 2 });
    expect(addon.threads()).toBe(2);
    const restore = limitNativeThreads(1);
    expect(addon.threads()).toBe(1);
    restore();
    expect(addon.threads()).toBe(2);
    // Already at most the cap: nothing to change, nothing to restore.
    await initEngine({ ...NATIVE, threads: 1 });
    const untouched = limitNativeThreads(1);
    expect(addon.threads()).toBe(1);
    untouched();
    expect(addon.threads()).toBe(1);
    // Overlapping caps (two comparisons at once): lifted when the last one lifts its own.
    await initEngine({ ...NATIVE, threads: 2 });
    const first = limitNativeThreads(1);
    const second = limitNativeThreads(1);
    first();
    first();
    expect(addon.threads()).toBe(1);
    second();
    expect(addon.threads()).toBe(2);
    // Re-threaded meanwhile: the restore does not undo the newer choice.
    await initEngine({ ...NATIVE, threads: 2 });
    const stale = limitNativeThreads(1);
    await initEngine({ ...NATIVE, threads: 3 });
    stale();
    expect(addon.threads()).toBe(3);
    // A cap taken after a re-threading while an older one is still held caps again.
    await initEngine({ ...NATIVE, threads: 2 });
    const held = limitNativeThreads(1);
    await initEngine({ ...NATIVE, threads: 3 });
    const fresh = limitNativeThreads(1);
    expect(addon.threads()).toBe(1);
    fresh();
    held();
    expect(addon.threads()).toBe(3);
    await initEngine(NATIVE);
  });
});

describe('convolutions equal wasm’s own', () => {
  // [input shape, filter shape, strides, padding, dilations]
  const cases: [
    number[],
    number[],
    [number, number],
    tf.backend_util.ExplicitPadding | 'same' | 'valid',
    [number, number],
  ][] = [
    [[2, 9, 11, 3], [3, 3, 3, 5], [1, 1], 'same', [1, 1]],
    [[1, 10, 10, 4], [3, 2, 4, 6], [2, 2], 'same', [1, 1]],
    [[3, 13, 7, 2], [5, 5, 2, 3], [2, 1], 'valid', [1, 1]],
    [[1, 12, 12, 3], [3, 3, 3, 4], [1, 1], 'same', [2, 2]],
    [[1, 8, 8, 16], [1, 1, 16, 8], [2, 2], 'valid', [1, 1]],
    // 8 channels in or more: on a CPU without AVX-512, direct plans on oneDNN's blocked layout,
    // also for channel counts that are not multiples of its blocks of 8.
    [[2, 9, 11, 16], [3, 3, 16, 24], [1, 1], 'same', [1, 1]],
    [[1, 12, 10, 12], [3, 3, 12, 20], [2, 2], 'same', [1, 1]],
    [[2, 10, 10, 9], [1, 1, 9, 13], [1, 1], 'valid', [1, 1]],
    [[1, 13, 13, 16], [3, 3, 16, 8], [1, 1], 'same', [2, 2]],
    [
      [2, 7, 9, 3],
      [3, 3, 3, 4],
      [3, 2],
      [
        [0, 0],
        [2, 0],
        [1, 3],
        [0, 0],
      ],
      [1, 1],
    ],
  ];

  it.each(cases)(
    'x %j ⋆ filter %j, strides %j, padding %j, dilations %j',
    async (x, f, strides, pad, dilations) => {
      expectClose(
        await bothWays(() =>
          tf.conv2d(
            seeded(x, 1) as tf.Tensor4D,
            seeded(f, 2) as tf.Tensor4D,
            strides,
            pad,
            'NHWC',
            dilations,
          ),
        ),
      );
    },
  );

  it.each(['linear', 'relu', 'relu6', 'leakyrelu', 'elu', 'sigmoid'] as const)(
    'with a bias and the fused activation %s',
    async (activation) => {
      expectClose(
        await bothWays(() =>
          tf.fused.conv2d({
            x: seeded([2, 6, 7, 3], 3).mul(4) as tf.Tensor4D,
            filter: seeded([3, 3, 3, 5], 4) as tf.Tensor4D,
            strides: 1,
            pad: 'same',
            bias: seeded([5], 5),
            activation,
            leakyreluAlpha: 0.1,
          }),
        ),
      );
    },
  );

  // From 14×14 output positions and 32 channels a 3×3 stride-1 convolution takes oneDNN's
  // Winograd kernels where the CPU has them (AVX-512) and their filter copy is small: other
  // arithmetic, the same values to within 1e-5 of the largest output.
  it.each([
    [[1, 16, 18, 32], [3, 3, 32, 48], 'same'],
    [[2, 20, 17, 40], [3, 3, 40, 32], 'valid'],
    // Channels that are not multiples of 8 (the addon's own transforms take 8 at a time and the
    // rest one by one), an odd output grid.
    [[2, 15, 17, 36], [3, 3, 36, 35], 'same'],
  ] as const)('with Winograd’s kernels: x %j ⋆ filter %j, padding %s', async (x, f, pad) => {
    expectClose(
      await bothWays(() =>
        tf.fused.conv2d({
          x: seeded([...x], 6) as tf.Tensor4D,
          filter: seeded([...f], 7) as tf.Tensor4D,
          strides: 1,
          pad,
          bias: seeded([f[3]], 8),
          activation: 'relu',
        }),
      ),
    );
    expectClose(
      await bothWays(() =>
        tf.conv2d(seeded([...x], 9) as tf.Tensor4D, seeded([...f], 10) as tf.Tensor4D, 1, pad),
      ),
    );
  });

  it('plans Winograd for 3×3 stride-1 images from 14×14 and 32 channels, no bounded activation: oneDNN’s where the CPU has AVX-512, the addon’s own elsewhere', () => {
    const { addon } = loadOneDnnAddon();
    if (!addon) throw new Error('the addon must load here');
    // [n, h, w, c, kh, kw, o, oh, ow, strideH, strideW, dilationH, dilationW, top, left, bottom, right]
    const implementation = (geometry: number[], hasBias = false, activation = 'linear') =>
      addon.planInfo(addon.createPlan(geometry, hasBias, activation, 0, false, false))
        .implementation;
    // oneDNN's Winograd kernels are avx512_core ones: F, BW, VL and DQ. Without them the addon's
    // own F(2×2, 3×3) serves (winograd-f2x3.h).
    const flags = fs.readFileSync('/proc/cpuinfo', 'utf8');
    const avx512 = ['avx512f', 'avx512bw', 'avx512vl', 'avx512dq'].every((flag) =>
      new RegExp(`\\b${flag}\\b`).test(flags),
    );
    const winograd = avx512 ? /^jit_wino/ : /^wino_2x3:own$/;
    const same3x3 = [1, 1, 1, 1, 1, 1, 1, 1];
    const plan3x3 = (size: number, channels: number) =>
      implementation([1, size, size, channels, 3, 3, channels, size, size, ...same3x3]);
    expect(plan3x3(14, 32)).toMatch(winograd);
    // A plan that flips its filter (stride-1 transposes) chooses the same way.
    const flippedPlan = (geometry: number[]) =>
      addon.planInfo(addon.createPlan(geometry, false, 'linear', 0, false, true)).implementation;
    expect(flippedPlan([1, 16, 16, 64, 3, 3, 128, 16, 16, ...same3x3])).toMatch(winograd);
    expect(() =>
      addon.createPlan(
        [1, 16, 16, 64, 3, 3, 128, 16, 16, ...same3x3],
        false,
        'linear',
        0,
        true,
        true,
      ),
    ).toThrow('a transposed plan flips no filter');
    expect(plan3x3(14, 256)).toMatch(winograd);
    // A forward layer's plan: a bias and a fused relu. A bounded activation, which would hide an
    // overflow from the check for a direct recomputation, keeps the plan direct.
    const layer = [1, 28, 28, 64, 3, 3, 64, 28, 28, ...same3x3];
    expect(implementation(layer, true, 'relu')).toMatch(winograd);
    expect(implementation(layer, true, 'relu6')).not.toContain('wino');
    expect(implementation(layer, true, 'sigmoid')).not.toContain('wino');
    // oneDNN's convolve the whole batch in its blocked layout: a batch whose blocked input and
    // output would pass 64 MiB (8 × 25.7 MB) stays direct. The addon's own take a few tiles at
    // a time whatever the batch.
    const largeBatch = implementation([8, 224, 224, 64, 3, 3, 64, 224, 224, ...same3x3]);
    if (avx512) expect(largeBatch).not.toContain('wino');
    else expect(largeBatch).toMatch(winograd);
    // 512 → 512 channels: oneDNN's F(4×4, 3×3) copy would be 16 MiB, past its bound of 10 MiB;
    // the addon's own copy is 16/9 of the filter, and VGG16's 512-channel layers take it.
    if (avx512) expect(plan3x3(14, 512)).not.toContain('wino');
    else expect(plan3x3(14, 512)).toMatch(winograd);
    expect(plan3x3(13, 32)).not.toContain('wino');
    expect(plan3x3(56, 16)).not.toContain('wino');
    expect(implementation([1, 56, 56, 16, 1, 1, 16, 56, 56, 1, 1, 1, 1, 0, 0, 0, 0])).not.toContain(
      'wino',
    );
    expect(
      implementation([1, 112, 112, 16, 3, 3, 16, 56, 56, 2, 2, 1, 1, 0, 0, 1, 1]),
    ).not.toContain('wino');
    expect(implementation([1, 30, 30, 32, 3, 3, 32, 26, 26, 1, 1, 2, 2, 0, 0, 0, 0])).not.toContain(
      'wino',
    );
  });

  it('gives each image the same bits in any batch and on any number of threads, with Winograd’s kernels', () => {
    const { addon } = loadOneDnnAddon();
    if (!addon) throw new Error('the addon must load here');
    const threadsBefore = addon.threads();
    // 30×29 outputs: 15 × 15 tiles per image, odd edges; 40 → 48 channels, not multiples of 16.
    const [h, w, c, o] = [30, 29, 40, 48];
    const geometry = (n: number) => [n, h, w, c, 3, 3, o, h, w, 1, 1, 1, 1, 1, 1, 1, 1];
    const images = 3;
    const values = (shape: number[], seed: number) =>
      tf.tidy(() => seeded(shape, seed).dataSync() as Float32Array);
    const [input, filter, bias] = [
      values([images, h, w, c], 31),
      values([3, 3, c, o], 32),
      values([o], 33),
    ];
    // The bytes, compared at once (toEqual walks a large typed array slowly).
    const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    const convolve = (n: number, threads: number, x: Float32Array) => {
      addon.setThreads(threads);
      const plan = addon.createPlan(geometry(n), true, 'relu', 0, false, false);
      const output = new Float32Array(n * h * w * o);
      addon.convolve(plan, addon.packFilter(plan, filter), x, bias, output, filter);
      return { implementation: addon.planInfo(plan).implementation, output };
    };
    try {
      const batch = convolve(images, 2, input);
      expect(batch.implementation).toContain('wino');
      expect(bytes(convolve(images, 1, input).output).equals(bytes(batch.output))).toBe(true);
      const perImage = h * w;
      for (let i = 0; i < images; i++) {
        const alone = convolve(1, 2, input.subarray(i * perImage * c, (i + 1) * perImage * c));
        const inBatch = batch.output.subarray(i * perImage * o, (i + 1) * perImage * o);
        expect(bytes(alone.output).equals(bytes(inBatch))).toBe(true);
      }
    } finally {
      addon.setThreads(threadsBefore);
    }
  });

  it('plans direct convolutions of 8 channels or more, kernels larger than 1×1, on the blocked layout where the CPU has no AVX-512', () => {
    const { addon } = loadOneDnnAddon();
    if (!addon) throw new Error('the addon must load here');
    // oneDNN's brgconv kernels, which read channels last as they are, are avx512_core ones.
    const flags = fs.readFileSync('/proc/cpuinfo', 'utf8');
    const avx512 = ['avx512f', 'avx512bw', 'avx512vl', 'avx512dq'].every((flag) =>
      new RegExp(`\\b${flag}\\b`).test(flags),
    );
    // [n, h, w, c, kh, kw, o, oh, ow, strideH, strideW, dilationH, dilationW, top, left, bottom, right]
    const plan = (geometry: number[], activation = 'linear', flipped = false) =>
      addon.planInfo(
        addon.createPlan(geometry, activation !== 'linear', activation, 0, false, flipped),
      );
    const direct3x3 = (c: number, o: number, size = 13) =>
      plan([1, size, size, c, 3, 3, o, size, size, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(direct3x3(16, 16).blocked).toBe(!avx512);
    expect(direct3x3(12, 20).blocked).toBe(!avx512);
    expect(plan([1, 13, 13, 16, 3, 3, 16, 13, 13, 1, 1, 1, 1, 1, 1, 1, 1], 'relu').blocked).toBe(
      !avx512,
    );
    expect(
      plan([1, 13, 13, 16, 3, 3, 16, 13, 13, 1, 1, 1, 1, 1, 1, 1, 1], 'linear', true).blocked,
    ).toBe(!avx512);
    // 1×1 kernels, and fewer than 8 channels in or out, stay channels last.
    expect(direct3x3(16, 5).blocked).toBe(false);
    expect(plan([1, 13, 13, 16, 1, 1, 32, 13, 13, 1, 1, 1, 1, 0, 0, 0, 0]).blocked).toBe(false);
    expect(direct3x3(3, 64).blocked).toBe(false);
    expect(direct3x3(7, 64).blocked).toBe(false);
    // A transposed (backward-data) plan stays channels last.
    expect(
      addon.planInfo(
        addon.createPlan(
          [1, 13, 13, 16, 3, 3, 16, 7, 7, 2, 2, 1, 1, 1, 1, 1, 1],
          false,
          'linear',
          0,
          true,
          false,
        ),
      ).blocked,
    ).toBe(false);
    // Blocked input and output past 64 MiB (8 × 224² × (64 + 64) floats) stay channels last.
    expect(plan([8, 224, 224, 64, 3, 3, 64, 224, 224, 1, 1, 1, 1, 1, 1, 1, 1]).blocked).toBe(false);
  });

  it('computes directly where Winograd’s transforms overflow: finite wherever wasm’s is', async () => {
    // Inputs up to 2e38: Winograd's transforms scale them past float32's range (all Infinity or
    // NaN before the fallback), while the direct sums stay near 6e37.
    const result = await bothWays(() =>
      tf.conv2d(
        tf.randomUniform([1, 56, 56, 64], -2e38, 2e38, 'float32', 11) as tf.Tensor4D,
        tf.randomNormal([3, 3, 64, 64], 0, 0.005, 'float32', 12) as tf.Tensor4D,
        1,
        'same',
      ),
    );
    expect(result.wasm.every(Number.isFinite)).toBe(true);
    expect(result.native.every(Number.isFinite)).toBe(true);
    expectClose(result);
  });

  it('keeps a non-finite input where the direct kernel does: no Winograd tile spreads it', async () => {
    // wasm's direct sums are non-finite only in the 3×3 neighbourhoods that read them.
    const result = await bothWays(() =>
      tf.conv2d(withInfinityAndNaN(13), seeded([3, 3, 64, 64], 14) as tf.Tensor4D, 1, 'same'),
    );
    expect(Array.from(result.native, Number.isFinite)).toEqual(
      Array.from(result.wasm, Number.isFinite),
    );
    const finite = (values: Float32Array) => values.map((v) => (Number.isFinite(v) ? v : 0));
    expectClose({ ...result, native: finite(result.native), wasm: finite(result.wasm) });
  });

  it.each(['relu', 'relu6'] as const)(
    'takes a fused %s over outputs near float32’s limit as wasm does',
    async (activation) => {
      // Winograd's overflow made finite by relu6 would look like a good result (such a plan is
      // direct); relu keeps it non-finite, so the check sees it and computes directly.
      const result = await bothWays(() =>
        tf.fused.conv2d({
          x: tf.randomUniform([1, 56, 56, 64], -2e38, 2e38, 'float32', 11) as tf.Tensor4D,
          filter: tf.randomNormal([3, 3, 64, 64], 0, 0.005, 'float32', 12) as tf.Tensor4D,
          strides: 1,
          pad: 'same',
          activation,
        }),
      );
      expect(result.native.every(Number.isFinite)).toBe(true);
      expectClose(result);
    },
  );

  it('uses wasm’s slope for a leaky relu given none', async () => {
    expectClose(
      await bothWays(() =>
        tf.fused.conv2d({
          x: seeded([1, 5, 5, 2], 23) as tf.Tensor4D,
          filter: seeded([3, 3, 2, 3], 24) as tf.Tensor4D,
          strides: 1,
          pad: 'same',
          activation: 'leakyrelu',
        }),
      ),
    );
  });

  it('hands a rounding mode other than floor to wasm’s kernel', async () => {
    expectClose(
      await bothWays(() =>
        tf.conv2d(
          seeded([1, 4, 4, 2], 25) as tf.Tensor4D,
          seeded([3, 3, 2, 2], 26) as tf.Tensor4D,
          2,
          0,
          'NHWC',
          1,
          'ceil',
        ),
      ),
    );
  });

  it('hands a fused prelu to wasm’s kernel', async () => {
    expectClose(
      await bothWays(() =>
        tf.fused.conv2d({
          x: seeded([1, 5, 5, 2], 6) as tf.Tensor4D,
          filter: seeded([3, 3, 2, 4], 7) as tf.Tensor4D,
          strides: 1,
          pad: 'valid',
          activation: 'prelu',
          preluActivationWeights: tf.fill([4], 0.3),
        }),
      ),
    );
  });

  // [relevance shape, filter shape, strides, padding, input shape]
  const transposes: [
    number[],
    number[],
    [number, number],
    tf.backend_util.ExplicitPadding | 'same' | 'valid',
    number[],
  ][] = [
    [[1, 5, 5, 6], [3, 3, 4, 6], [2, 2], 'same', [1, 10, 10, 4]],
    [[2, 4, 3, 2], [3, 3, 3, 2], [2, 2], 'valid', [2, 9, 8, 3]],
    [[1, 4, 4, 8], [1, 1, 16, 8], [2, 2], 'valid', [1, 8, 8, 16]],
    [
      [1, 4, 4, 5],
      [7, 7, 3, 5],
      [2, 2],
      [
        [0, 0],
        [3, 3],
        [3, 3],
        [0, 0],
      ],
      [1, 8, 8, 3],
    ],
    [[1, 6, 6, 2], [3, 3, 2, 2], [1, 1], 'same', [1, 6, 6, 2]],
    // Onto few channels (at most FEW_CHANNELS: the matrix product and gather of the addon): a
    // grayscale batch, an RGB image, the 7×7 stride-2 stem at an odd size, a stride wider than
    // the kernel, and 5 channels (oneDNN's transpose) beside them.
    [[3, 28, 28, 16], [3, 3, 1, 16], [1, 1], 'same', [3, 28, 28, 1]],
    [[1, 30, 26, 64], [3, 3, 3, 64], [1, 1], 'valid', [1, 32, 28, 3]],
    [[1, 12, 11, 24], [7, 7, 3, 24], [2, 2], 'same', [1, 23, 21, 3]],
    [[2, 3, 4, 8], [2, 2, 4, 8], [3, 3], 'valid', [2, 9, 12, 4]],
    [[1, 9, 9, 8], [3, 3, 5, 8], [1, 1], 'same', [1, 9, 9, 5]],
    // 21 images of 64×64 with 7×7×4 taps: 3.2 MB of columns each, two groups of at most 64 MiB.
    [[21, 64, 64, 8], [7, 7, 4, 8], [1, 1], 'same', [21, 64, 64, 4]],
  ];

  it.each(transposes)(
    'the transpose of %j with filter %j, strides %j, padding %j onto %j',
    async (dy, f, strides, pad, inputShape) => {
      expectClose(
        await bothWays(() =>
          tf.conv2dTranspose(
            seeded(dy, 8) as tf.Tensor4D,
            seeded(f, 9) as tf.Tensor4D,
            inputShape as [number, number, number, number],
            strides,
            pad,
          ),
        ),
      );
    },
  );
});

describe('the transpose onto few channels', () => {
  const { addon } = loadOneDnnAddon();
  // [n, h, w, c, kh, kw, o, oh, ow, strideH, strideW, dilationH, dilationW, top, left, bottom, right]
  const transpose = (geometry: number[]) => {
    if (!addon) throw new Error('the addon must load here');
    const [n, h, w, c, kh, kw, o, oh, ow] = geometry;
    return addon.transposeOntoFewChannels(
      geometry,
      new Float32Array(kh * kw * c * o),
      new Float32Array(n * oh * ow * o),
      new Float32Array(n * h * w * c),
    );
  };

  it('leaves an image whose columns pass 64 MiB to oneDNN (answers false)', () => {
    // 512 × 512 positions × 7 × 7 × 4 taps: 205 MB of columns for one image.
    expect(transpose([1, 512, 512, 4, 7, 7, 8, 512, 512, 1, 1, 1, 1, 3, 3, 3, 3])).toBe(false);
    expect(transpose([1, 16, 16, 4, 7, 7, 8, 16, 16, 1, 1, 1, 1, 3, 3, 3, 3])).toBe(true);
  });

  it('refuses an output grid that is not the convolution’s, naming it', () => {
    expect(() => transpose([1, 16, 16, 4, 3, 3, 8, 15, 16, 1, 1, 1, 1, 1, 1, 1, 1])).toThrow(
      /output grid/,
    );
  });
});

describe('the addon never reads or writes outside the arrays it is given', () => {
  const addon = () => {
    const { addon: loaded } = loadOneDnnAddon();
    if (!loaded) throw new Error('the addon must load here');
    return loaded;
  };
  const none = () => new Float32Array(0);

  it('refuses shapes whose element count overflows instead of matching an empty array', () => {
    // 2^62 · 4 elements wrap to 0 in int64: before the checked count these wrote past `out`.
    const pool = [2 ** 62, 1, 1, 4, 1, 1, 1, 1, 1, 1, 0, 0];
    expect(() => addon().maxPool(none(), none(), pool)).toThrow(/too large to address/);
    expect(() => addon().routeToWindowMaxima(none(), none(), none(), pool)).toThrow(
      /too large to address/,
    );
    expect(() => addon().flipConvKernel(none(), [2 ** 31, 2 ** 31, 1, 4], none())).toThrow(
      /too large to address/,
    );
    // m · n = 2^62 · 4 wraps to 0 too; k = 1 keeps the other two products small.
    expect(() => addon().gemm(false, false, 2 ** 62, 4, 1, none(), none(), none(), false)).toThrow(
      /too large to address/,
    );
    // A window of 2^32 · 2^32 cells, whose count overflowed the window-size check itself.
    const x = new Float32Array(4);
    const wide = [1, 2, 2, 1, 1, 1, 2 ** 32, 2 ** 32, 1, 1, 0, 0];
    expect(() => addon().maxPool(x, new Float32Array(1), wide)).toThrow(/window too large/);
  });

  it('refuses an output that shares memory with an input (it would be read after being written)', () => {
    const heap = new Float32Array(8);
    expect(() =>
      addon().flipConvKernel(heap.subarray(0, 4), [1, 1, 2, 2], heap.subarray(2, 6)),
    ).toThrow(/shares memory/);
    const pool = [1, 2, 2, 1, 1, 1, 2, 2, 2, 2, 0, 0];
    expect(() =>
      addon().routeToWindowMaxima(
        heap.subarray(0, 4),
        heap.subarray(4, 5),
        heap.subarray(3, 7),
        pool,
      ),
    ).toThrow(/shares memory/);
    expect(() => addon().maxPool(heap.subarray(0, 4), heap.subarray(3, 4), pool)).toThrow(
      /shares memory/,
    );
    // Side by side is fine.
    addon().flipConvKernel(heap.subarray(0, 4), [1, 1, 2, 2], heap.subarray(4, 8));
  });
});

describe('matrix products equal wasm’s own', () => {
  // [a shape, b shape, transposeA, transposeB]
  const cases: [number[], number[], boolean, boolean][] = [
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[4, 5, 7], [4, 7, 3], false, false],
    [[1, 5, 7], [4, 7, 3], false, false],
    [[4, 7, 5], [1, 3, 7], true, true],
  ];

  it.each(cases)('%j · %j (transposed: %s, %s)', async (a, b, transposeA, transposeB) => {
    expectClose(
      await bothWays(() => tf.matMul(seeded(a, 10), seeded(b, 11), transposeA, transposeB)),
    );
  });

  it.each(['linear', 'relu'] as const)(
    'with a bias and the fused activation %s',
    async (activation) => {
      expectClose(
        await bothWays(() =>
          tf.fused.matMul({
            a: seeded([6, 9], 12) as tf.Tensor2D,
            b: seeded([9, 4], 13) as tf.Tensor2D,
            bias: seeded([4], 14),
            activation,
          }),
        ),
      );
    },
  );

  it('hands a fused elu to wasm’s kernel', async () => {
    expectClose(
      await bothWays(() =>
        tf.fused.matMul({
          a: seeded([3, 4], 15) as tf.Tensor2D,
          b: seeded([4, 2], 16) as tf.Tensor2D,
          activation: 'elu',
        }),
      ),
    );
  });
});

describe('max pooling equals wasm’s own', () => {
  // [input shape, pool size, strides, padding]
  const cases: [number[], [number, number], [number, number], 'same' | 'valid' | number][] = [
    [[256, 28, 28, 16], [2, 2], [2, 2], 'valid'], // the MNIST CNN's first pooling layer
    [[2, 11, 9, 18], [2, 2], [2, 2], 'valid'], // a remainder; 4 vector blocks and a tail of 2
    [[2, 7, 7, 5], [2, 2], [2, 2], 'same'], // padding after
    [[1, 9, 9, 33], [3, 3], [2, 2], 'same'], // ResNet's 3×3/2: padding before, overlapping
    [[2, 6, 5, 4], [3, 3], [1, 1], 'valid'],
    [[2, 8, 8, 3], [2, 2], [3, 3], 'valid'], // cells between windows
    [[1, 7, 6, 7], [3, 2], [2, 1], 'same'], // rectangular windows
    [[1, 7, 7, 6], [3, 3], [2, 2], 1], // numeric padding
    [[2, 3, 3, 9], [1, 1], [1, 1], 'valid'],
  ];

  it.each(cases)('x %j, pool %j, strides %j, padding %j', async (shape, pool, strides, pad) => {
    // Small integers: ties and windows whose maximum is ≤ 0; ±Infinity in a few cells.
    const size = shape.reduce((a, b) => a * b, 1);
    const values = Float32Array.from({ length: size }, (_, i) => {
      if (i % 31 === 3) return Infinity;
      if (i % 37 === 9) return -Infinity;
      return ((i * 7919) % 7) - 5;
    });
    const result = await bothWays(() =>
      tf.maxPool(
        tf.tensor4d(values, shape as [number, number, number, number]),
        pool,
        strides,
        pad,
      ),
    );
    expect(result.nativeShape).toEqual(result.wasmShape);
    // A maximum is one of the cells: equal, not close.
    expect(Array.from(result.native)).toEqual(Array.from(result.wasm));
  });

  it('keeps the first of tied +0 and −0 in a 2×2 window, as wasm’s does', async () => {
    // Every order of +0 and −0 over one window's four cells, one window per channel.
    const cells = Array.from({ length: 16 }, (_, m) =>
      [0, 1, 2, 3].map((k) => ((m >> k) & 1 ? -0 : 0)),
    );
    const values = [0, 1, 2, 3].flatMap((k) => cells.map((window) => window[k]));
    const result = await bothWays(() =>
      tf.maxPool(tf.tensor4d(values, [1, 2, 2, 16]), 2, 2, 'valid'),
    );
    result.native.forEach((v, channel) => {
      expect(Object.is(v, cells[channel][0])).toBe(true);
      expect(Object.is(v, result.wasm[channel])).toBe(true);
    });
  });

  it('gives NaN for a window that holds a NaN, wherever in the window (wasm’s gives −Infinity or ignores it)', () => {
    // Five channels (one vector block and the tail): NaN in cell k of channel k, none in channel 4.
    const values = [0, 1, 2, 3].flatMap((cell) =>
      [0, 1, 2, 3, 4].map((channel) => (channel === cell ? NaN : cell - 1)),
    );
    const pooled = tf.tidy(() =>
      tf.maxPool(tf.tensor4d(values, [1, 2, 2, 5]), 2, 2, 'valid').dataSync(),
    );
    expect(Array.from(pooled)).toEqual([NaN, NaN, NaN, NaN, 2]);
  });

  it('hands a rounding mode other than floor to wasm’s kernel (which ignores a NaN after a window’s first cell)', () => {
    const values = [1, NaN, 0, 2].flatMap((v) => [v, v, v, v, v]);
    const pooled = tf.tidy(() =>
      tf.maxPool(tf.tensor4d(values, [1, 2, 2, 5]), 2, 2, 0, 'ceil').dataSync(),
    );
    expect(Array.from(pooled)).toEqual([2, 2, 2, 2, 2]);
  });

  it('hands padding of a window’s size or more (windows wholly in it) to wasm’s kernel', async () => {
    // A 2×2 image, 2×2 windows, stride 1, numeric pad 3: 7×7 outputs, 33 of them in padding only.
    const x = tf.tensor4d([1, -2, 3, -4], [1, 2, 2, 1]);
    await initEngine(NATIVE);
    const kernels = await tf.profile(() => tf.maxPool(x, 2, 1, 3).dispose());
    expect(kernels.kernelNames).toEqual(['MaxPool']);
    const result = await bothWays(() => tf.maxPool(x, 2, 1, 3));
    expect(result.nativeShape).toEqual([1, 7, 7, 1]);
    expect(Array.from(result.native)).toEqual(Array.from(result.wasm));
    x.dispose();
  });
});

describe('max pooling’s routing and the finite minimum', () => {
  const geometry = (kernel: number, stride: number, padding: [number, number]) => ({
    kernel: [kernel, kernel],
    strides: [stride, stride],
    dilations: [1, 1],
    padding: [padding, padding],
  });

  it.each([
    ['2×2/2 tiles', geometry(2, 2, [0, 0]), [2, 8, 6, 3], [2, 4, 3, 3]],
    ['3×3/2 overlapping, padded', geometry(3, 2, [1, 1]), [1, 9, 9, 2], [1, 5, 5, 2]],
    ['3×3/1 overlapping', geometry(3, 1, [0, 0]), [1, 6, 5, 2], [1, 4, 3, 2]],
  ] as const)('%s: the same cells as the tfjs routing', async (_, g, xShape, rShape) => {
    // Rounded values: ties (the first cell wins) and windows whose maximum is ≤ 0.
    const x = () =>
      seeded([...xShape], 17)
        .mul(2)
        .round()
        .sub(1) as tf.Tensor4D;
    expectClose(
      await bothWays(() =>
        routeToWindowMaxima(x(), seeded([...rShape], 18) as tf.Tensor4D, g as never),
      ),
      // Overlapping windows add up in another order: float32 rounding only.
      1e-6,
    );
  });

  it('gives [0, min] for finite tensors and [NaN, NaN] where any value is NaN or ±Infinity', () => {
    const cases: [number[], number | null][] = [
      [[1, -2, 3.4e38, -3.4e38, 0], -3.4e38],
      [[0, 2, 0.5], 0],
      [[1, NaN, 2], null],
      [[Infinity, 1], null],
      [[1, 2, -Infinity], null],
    ];
    for (const [values, minimum] of cases) {
      const probe = tf.tidy(() =>
        Array.from(finiteMinimumNatively(tf.tensor1d(values)).dataSync()),
      );
      if (minimum === null) {
        expect(probe.every(Number.isNaN)).toBe(true);
      } else {
        expect(probe).toEqual([0, Math.fround(minimum)]);
      }
    }
  });
});

describe('the mass per sample', () => {
  it('equals Σ|x| per sample, overflows to Infinity like float32 and keeps NaN', () => {
    const x = seeded([3, 70, 300, 4], 22); // 84 000 values per sample: the threaded loop
    const native = tf.tidy(() => Array.from(massPerSampleNatively(x).dataSync()));
    const own = tf.tidy(() => Array.from(tf.abs(x).reshape([3, -1]).sum(1).dataSync()));
    native.forEach((m, b) => expect(Math.abs(m - own[b])).toBeLessThanOrEqual(1e-5 * own[b]));
    const edge = tf.tensor2d([
      [3e38, -3e38, 0],
      [1, NaN, 2],
      [-0.5, 0.25, 0],
    ]);
    const edges = tf.tidy(() => Array.from(massPerSampleNatively(edge).dataSync()));
    expect(edges).toEqual([Infinity, NaN, 0.75]);
    tf.dispose([x, edge]);
  });
});

describe('the stabilised ratio', () => {
  it('equals tfjs’ r / (d + ε·sign(d)) bit for bit, at ±0, ±Infinity, NaN, denormals and float32’s edges', async () => {
    const special = [
      0,
      -0,
      1e-45,
      -1e-45,
      1e-7,
      -1e-7,
      3e38,
      -3e38,
      Infinity,
      -Infinity,
      NaN,
      1,
      -1,
    ];
    const d = tf.tidy(() =>
      tf.concat([tf.tensor1d(special), seeded([100_000], 31).mul(tf.scalar(1e-6))]),
    ); // 100 013 values: the threaded loop, and denominators near ε
    const r = tf.tidy(() =>
      tf.concat([
        tf.tensor1d(special.map((_, i) => (i % 3 === 0 ? -2 : 0.5))),
        seeded([100_000], 32),
      ]),
    );
    for (const epsilon of [1e-6, 0.25, 1e-30]) {
      await initEngine(NATIVE);
      const kernels = await tf.profile(() => stabilisedRatio(r, d, epsilon).dispose());
      expect(kernels.kernelNames).toEqual(['RlrpStabilisedRatio']);
      const native = tf.tidy(() => Array.from(stabilisedRatio(r, d, epsilon).dataSync()));
      await initEngine(WASM_OWN);
      const own = tf.tidy(() => Array.from(stabilisedRatio(r, d, epsilon).dataSync()));
      await initEngine(NATIVE);
      // toEqual compares with Object.is: NaN equals NaN, −0 differs from +0.
      expect(native).toEqual(own);
    }
    tf.dispose([r, d]);
  });

  it('is left to tfjs after a direct tf.setBackend to another backend (the kernels serve wasm only)', async () => {
    await initEngine(NATIVE);
    await tf.setBackend('cpu');
    try {
      expect(nativeKernelsActive()).toBe(false);
      const ratio = tf.tidy(() =>
        Array.from(stabilisedRatio(tf.tensor1d([1, 3]), tf.tensor1d([-0, 2]), 1).dataSync()),
      );
      expect(ratio).toEqual([1, 1]);
    } finally {
      await tf.setBackend('wasm');
    }
    expect(nativeKernelsActive()).toBe(true);
  });

  it('leaves ε = 0 (LRP-0: d itself, −0 kept), a tensor ε, other shapes and empty tensors to tfjs', () => {
    const r = tf.tensor1d([1, 1, 2]);
    const d = tf.tensor1d([-0, 0, 4]);
    expect(Array.from(tf.tidy(() => stabilisedRatio(r, d, 0).dataSync()))).toEqual([
      -Infinity,
      Infinity,
      0.5,
    ]);
    const perSample = tf.tensor1d([0.5, 0.5, 0.5]);
    expect(Array.from(tf.tidy(() => stabilisedRatio(r, d, perSample).dataSync()))).toEqual(
      [2, 2, 2 / 4.5].map(Math.fround),
    );
    const broadcast = tf.tensor2d([[1], [2]]);
    expect(tf.tidy(() => stabilisedRatio(broadcast, d, 1).shape)).toEqual([2, 3]);
    const empty = tf.zeros([0, 4]);
    expect(tf.tidy(() => stabilisedRatio(empty, empty, 1e-6).shape)).toEqual([0, 4]);
    tf.dispose([r, d, perSample, broadcast, empty]);
  });
});

describe('the flipped kernel of a transposed convolution', () => {
  /** The definition: `out[kh−1−i][kw−1−j][p][q] = kernel[i][j][q][p]`, one value at a time. */
  function flippedByDefinition(values: Float32Array, [kh, kw, c, o]: number[]): number[] {
    const out = new Array<number>(values.length);
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++)
        for (let q = 0; q < c; q++)
          for (let p = 0; p < o; p++)
            out[(((kh - 1 - i) * kw + (kw - 1 - j)) * o + p) * c + q] =
              values[((i * kw + j) * c + q) * o + p];
    return out;
  }

  it('moves every value unchanged (NaN, ±Infinity, −0, denormals) for any channel counts, in one kernel', async () => {
    // Channel counts on and off the 32-wide blocks; the last shape runs on every thread.
    for (const shape of [
      [2, 3, 5, 7],
      [1, 1, 33, 65],
      [7, 7, 3, 64],
      [3, 3, 64, 31],
      [3, 3, 512, 40],
    ]) {
      const values = tf.tidy(() => seeded(shape, 40).dataSync() as Float32Array).slice();
      [NaN, -0, Infinity, -Infinity, 1e-45, -3e38].forEach((v, i) => (values[i * 5] = v));
      const kernel = tf.tensor4d(values, shape as [number, number, number, number]);
      await initEngine(NATIVE);
      const kernels = await tf.profile(() => flipConvKernel(kernel).dispose());
      expect(kernels.kernelNames).toEqual(['RlrpFlipConvKernel']);
      const flipped = flipConvKernel(kernel);
      expect(flipped.shape).toEqual([shape[0], shape[1], shape[3], shape[2]]);
      // toEqual compares with Object.is: NaN equals NaN, −0 differs from +0.
      expect(Array.from(flipped.dataSync())).toEqual(flippedByDefinition(values, shape));
      tf.dispose([kernel, flipped]);
    }
  });

  it('equals tfjs’ product-and-transpose form on finite kernels', async () => {
    const kernel = seeded([3, 3, 40, 24], 41) as tf.Tensor4D;
    const result = await bothWays(() => flipConvKernel(kernel));
    expect(result.nativeShape).toEqual(result.wasmShape);
    expect(Array.from(result.native)).toEqual(Array.from(result.wasm));
    kernel.dispose();
  });
});

describe('the convolution with a flipped kernel (stride-1 transposes)', () => {
  type Padding = tf.backend_util.ExplicitPadding;
  const padding = (top: number, bottom: number, left: number, right: number): Padding => [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];

  /**
   * conv2dWithFlippedKernel(x, kernel) with the native kernels; the same convolution on a flipped
   * copy, natively (the same plan on the same packed values: the same bits) and on wasm's own.
   */
  async function flippedThreeWays(
    x: () => tf.Tensor4D,
    kernel: () => tf.Tensor4D,
    pad: Padding,
    dilations: [number, number] = [1, 1],
    withWasm = true,
  ) {
    const onCopy = () =>
      tf.tidy(() => tf.conv2d(x(), flipConvKernel(kernel()), 1, pad, 'NHWC', dilations));
    await initEngine(NATIVE);
    const flipped = tf.tidy(() => conv2dWithFlippedKernel(x(), kernel(), pad, dilations));
    const copy = onCopy();
    await initEngine(WASM_OWN);
    const wasm = withWasm ? onCopy() : copy.clone();
    await initEngine(NATIVE);
    const values = {
      native: flipped.dataSync() as Float32Array,
      copy: copy.dataSync() as Float32Array,
      wasm: wasm.dataSync() as Float32Array,
      shape: flipped.shape,
      wasmShape: wasm.shape,
    };
    tf.dispose([flipped, copy, wasm]);
    return values;
  }

  /**
   * The flipped copy's bits (`bits`; else its values within 1e-5 of the largest), and wasm's values
   * within 1e-5 of the largest. Not bits where the addon's own Winograd serves (CPUs without
   * AVX-512): its transposes read the kernel's transform transposed in their products, and oneDNN's
   * sgemm may sum a transposed operand in another order (native/winograd-f2x3.h).
   */
  function expectFlippedAgrees(
    result: Awaited<ReturnType<typeof flippedThreeWays>>,
    bits = true,
  ): void {
    if (bits) expect(Array.from(result.native)).toEqual(Array.from(result.copy));
    else {
      expectClose({
        native: result.native,
        wasm: result.copy,
        nativeShape: result.shape,
        wasmShape: result.shape,
      });
    }
    expectClose({
      native: result.native,
      wasm: result.wasm,
      nativeShape: result.shape,
      wasmShape: result.wasmShape,
    });
  }

  it.each([
    ['direct', [1, 6, 6, 5], [3, 3, 4, 5], padding(1, 1, 1, 1), [1, 1]],
    ['Winograd', [1, 16, 18, 48], [3, 3, 32, 48], padding(1, 1, 1, 1), [1, 1]],
    [
      'Winograd, flipped on every thread',
      [1, 16, 16, 64],
      [3, 3, 128, 64],
      padding(1, 1, 1, 1),
      [1, 1],
    ],
    [
      'Winograd, channels not multiples of 8',
      [2, 15, 17, 35],
      [3, 3, 36, 35],
      padding(1, 1, 1, 1),
      [1, 1],
    ],
    ['1×1, a batch of 2', [2, 7, 7, 24], [1, 1, 16, 24], padding(0, 0, 0, 0), [1, 1]],
    ['dilated', [1, 9, 9, 6], [3, 3, 5, 6], padding(2, 2, 2, 2), [2, 2]],
    ['asymmetric padding', [1, 5, 6, 3], [3, 3, 7, 3], padding(2, 1, 0, 2), [1, 1]],
  ] as const)(
    '%s: x %j, kernel %j, padding %j, dilations %j: the flipped copy’s bits (Winograd’s: values), and wasm’s values',
    async (name, x, kernel, pad, dilations) => {
      const result = await flippedThreeWays(
        () => seeded([...x], 50) as tf.Tensor4D,
        () => seeded([...kernel], 51) as tf.Tensor4D,
        pad as Padding,
        [...dilations],
      );
      expectFlippedAgrees(result, !name.startsWith('Winograd'));
    },
  );

  it('flips a kernel over 64 MiB in a buffer of its own', async () => {
    // 1×1×4096×4100 floats: 67.2 MB, past the scratch buffer's 64 MiB. Made in JavaScript:
    // wasm's random normals take seconds for so many.
    const values = new Float32Array(4096 * 4100).map((_, i) => ((i * 7919) % 1009) / 1009 - 0.5);
    const kernel = tf.tensor4d(values, [1, 1, 4096, 4100]);
    const result = await flippedThreeWays(
      () => seeded([1, 2, 2, 4100], 53) as tf.Tensor4D,
      () => kernel,
      padding(0, 0, 0, 0),
      [1, 1],
      false,
    );
    expect(result.shape).toEqual([1, 2, 2, 4096]);
    expect(Array.from(result.native)).toEqual(Array.from(result.copy));
    kernel.dispose();
  });

  it.each([
    [
      [1, 56, 56, 64],
      [3, 3, 64, 64],
    ],
    // A flipped filter (2.4 MB) larger than the blocked input and output (0.4 MB): the fallback
    // grows the scratch buffer that held them, released first so that it starts small.
    [
      [1, 14, 14, 256],
      [3, 3, 256, 256],
    ],
  ] as const)(
    'computes directly where Winograd’s transforms overflow, on the flipped kernel: x %j, kernel %j',
    async (x, kernel) => {
      loadOneDnnAddon().addon?.releaseScratch();
      const result = await flippedThreeWays(
        () => tf.randomUniform([...x], -2e38, 2e38, 'float32', 11) as tf.Tensor4D,
        () => tf.randomNormal([...kernel], 0, 0.005, 'float32', 12) as tf.Tensor4D,
        padding(1, 1, 1, 1),
      );
      expect(result.native.every(Number.isFinite)).toBe(true);
      // The direct fallback on the flipped kernel: its bits.
      expectFlippedAgrees(result);
    },
  );

  it('takes float32 tensors only, and says so', async () => {
    await initEngine(NATIVE);
    const x = tf.ones([1, 4, 4, 2], 'int32') as tf.Tensor4D;
    const kernel = tf.ones([3, 3, 2, 2], 'int32') as tf.Tensor4D;
    expect(() => conv2dWithFlippedKernel(x, kernel, padding(1, 1, 1, 1), [1, 1])).toThrow(
      EngineError,
    );
    expect(() => conv2dWithFlippedKernel(x, kernel, padding(1, 1, 1, 1), [1, 1])).toThrow(
      /float32.*int32/,
    );
    tf.dispose([x, kernel]);
  });

  it('keeps a non-finite input where the direct kernel on the flipped copy does', async () => {
    const result = await flippedThreeWays(
      () => withInfinityAndNaN(59),
      () => seeded([3, 3, 64, 64], 60) as tf.Tensor4D,
      padding(1, 1, 1, 1),
    );
    // toEqual compares with Object.is: NaN equals NaN.
    expect(Array.from(result.native)).toEqual(Array.from(result.copy));
    expect(Array.from(result.native, Number.isFinite)).toEqual(
      Array.from(result.wasm, Number.isFinite),
    );
  });

  it('keeps denormal inputs and results as wasm does: nothing is flushed to zero', async () => {
    // Inputs of 1e-39 · normals (below float32's smallest normal, 1.18e-38) through a direct layer
    // and a Winograd one, plain and flipped: every result is a denormal sum.
    const tiny = (shape: number[], seed: number) => () =>
      tf.tidy(() => seeded(shape, seed).mul(1e-39)) as tf.Tensor4D;
    // A flipped kernel `[kh, kw, c, o]` convolves inputs of `o` channels.
    const cases = [
      { x: tiny([1, 6, 6, 5], 63), kernel: [3, 3, 5, 4], flippedKernel: [3, 3, 4, 5] },
      { x: tiny([1, 56, 56, 64], 65), kernel: [3, 3, 64, 64], flippedKernel: [3, 3, 64, 64] },
    ];
    for (const [i, { x, kernel, flippedKernel }] of cases.entries()) {
      const plain = await bothWays(() =>
        tf.conv2d(x(), seeded(kernel, 64 + i) as tf.Tensor4D, 1, 'same'),
      );
      const flipped = await flippedThreeWays(
        x,
        () => seeded(flippedKernel, 66 + i) as tf.Tensor4D,
        padding(1, 1, 1, 1),
      );
      for (const native of [plain.native, flipped.native]) {
        const wasm = native === plain.native ? plain.wasm : flipped.wasm;
        expect(wasm.some((v) => v !== 0 && Math.abs(v) < 1.1754944e-38)).toBe(true);
        // Zero exactly where wasm's is zero, and close to it (denormals carry fewer digits).
        expect(Array.from(native, (v) => v === 0)).toEqual(Array.from(wasm, (v) => v === 0));
        expectClose(
          { native, wasm, nativeShape: plain.nativeShape, wasmShape: plain.wasmShape },
          1e-3,
        );
      }
    }
  });

  it('reports an addon that does not understand its plan call, and leaves a refused shape to wasm', async () => {
    const { addon, conv2D } = await nativeEngineParts();
    const x = seeded([1, 6, 6, 5], 61);
    const kernel = seeded([3, 3, 4, 5], 62);
    const call = (convolutions: NativeConvolutions) =>
      convolutions.flippedKernel(conv2D)({
        inputs: { x, filter: kernel },
        backend: tf.backend(),
        attrs: { pad: padding(1, 1, 1, 1), dilations: [1, 1] } as unknown as tf.NamedAttrMap,
      }) as tf.TensorInfo;
    // An addon built from older source: its createPlan takes five arguments, and the real addon's
    // argument error for such a call must surface, not send every convolution to wasm unseen.
    const createPlan = addon.createPlan as (...args: unknown[]) => NativePlan;
    const older: OneDnnAddon = {
      ...addon,
      createPlan: (...args: unknown[]) => createPlan(...args.slice(0, 5)),
    };
    expect(() => call(new NativeConvolutions(older))).toThrow(/createPlan\(geometry/);
    // oneDNN refusing the shape: wasm's own convolution on a flipped copy, the same values to
    // float32 rounding.
    const refusing: OneDnnAddon = {
      ...addon,
      createPlan: () => {
        throw Object.assign(new Error('oneDNN convolution descriptor failed: unimplemented'), {
          code: 'ERR_RLRP_ONEDNN',
        });
      },
    };
    const output = call(new NativeConvolutions(refusing));
    const served = tf.engine().makeTensorFromTensorInfo(output);
    const expected = tf.tidy(() =>
      tf.conv2d(x as tf.Tensor4D, flipConvKernel(kernel as tf.Tensor4D), 1, padding(1, 1, 1, 1)),
    );
    expectTensorClose(served, expected);
    tf.dispose([x, kernel, served, expected]);
  });

  it("names the shapes when x's channels are not the kernel's last axis", async () => {
    await initEngine(NATIVE);
    const x = seeded([1, 6, 6, 5], 68) as tf.Tensor4D;
    const kernel = seeded([3, 3, 5, 4], 69) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const call = () => conv2dWithFlippedKernel(x, kernel, padding(1, 1, 1, 1), [1, 1]);
    expect(call).toThrow(EngineError);
    expect(call).toThrow(
      new Error(
        `${CONV2D_WITH_FLIPPED_KERNEL} convolves x [n, h, w, o] with the flipped kernel of ` +
          "[kh, kw, c, o]: x's channels must be the kernel's last axis, got x [1, 6, 6, 5] and " +
          'kernel [3, 3, 5, 4].',
      ),
    );
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, kernel]);
  });

  it('serves an empty batch with wasm’s own convolution on a flipped copy', async () => {
    await initEngine(NATIVE);
    const x = tf.zeros([0, 5, 5, 4]) as tf.Tensor4D;
    const kernel = seeded([3, 3, 2, 4], 54) as tf.Tensor4D;
    const out = conv2dWithFlippedKernel(x, kernel, padding(1, 1, 1, 1), [1, 1]);
    expect(out.shape).toEqual([0, 5, 5, 2]);
    tf.dispose([x, kernel, out]);
  });

  it('leaves no flipped kernel in the wasm heap when a layer transposes at stride 1: only the packed copy, released with the kernel', async () => {
    await initEngine(NATIVE);
    const weight = seeded([3, 3, 8, 16], 55);
    const op = new Conv2DOp(
      { weight, bias: null },
      {
        kernel: [3, 3],
        strides: [1, 1],
        dilations: [1, 1],
        padding: [
          [1, 1],
          [1, 1],
        ],
      },
    );
    const a = seeded([1, 10, 10, 8], 56);
    const s = seeded([1, 10, 10, 16], 57);
    // Packing a probe's copy releases the copies of kernels earlier tests disposed: count from
    // here. Its next convolution, a hit, sweeps the copies again (a few per call: all of these).
    const probe = tf.ones([1, 1, 1, 1]) as tf.Tensor4D;
    const ones = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
    tf.conv2d(ones, probe, 1, 'valid').dispose();
    const tensors = tf.memory().numTensors;
    op.transpose(s, a.shape).dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    const filters = nativeFilterCache()?.filters ?? 0;
    const kernels = await tf.profile(() => tf.tidy(() => op.transpose(s, a.shape)));
    tf.dispose(kernels.result);
    expect(kernels.kernelNames).toEqual([CONV2D_WITH_FLIPPED_KERNEL]);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(nativeFilterCache()?.filters).toBe(filters);
    // The transpose equals the gradient of the convolution it transposes.
    const gradient = tf.grad((x: tf.Tensor) =>
      tf
        .conv2d(x as tf.Tensor4D, weight as tf.Tensor4D, 1, 'same')
        .mul(s)
        .sum(),
    )(a);
    const transposed = op.transpose(s, a.shape);
    expectTensorClose(transposed, gradient);
    op.dispose();
    tf.dispose([weight, a, s, gradient, transposed]);
    tf.conv2d(ones, probe, 1, 'valid').dispose();
    expect(nativeFilterCache()?.filters).toBe(filters - 1);
    tf.dispose([probe, ones]);
  });

  it('keeps one packed copy for a 3×3 layer’s convolution and its stride-1 transpose where the addon’s own Winograd serves both', async () => {
    await initEngine(NATIVE);
    const { addon } = loadOneDnnAddon();
    if (!addon) throw new Error('the addon must load here');
    // 16×16 images, 32 → 48 channels: Winograd's plans both ways (from 14×14 and 32 channels).
    const weight = seeded([3, 3, 32, 48], 58) as tf.Tensor4D;
    const x = seeded([1, 16, 16, 32], 59) as tf.Tensor4D;
    const s = seeded([1, 16, 16, 48], 60) as tf.Tensor4D;
    // The plan of a 3×3 'same' convolution of 16×16 images from `c` to `o` channels.
    const plan = (c: number, o: number, flipped: boolean) =>
      addon.createPlan(
        [1, 16, 16, c, 3, 3, o, 16, 16, 1, 1, 1, 1, 1, 1, 1, 1],
        false,
        'linear',
        0,
        false,
        flipped,
      );
    const forwardPlan = plan(32, 48, false);
    const flippedPlan = plan(48, 32, true);
    const own = addon.planInfo(forwardPlan).implementation === 'wino_2x3:own';
    expect(addon.planInfo(flippedPlan).implementation).toBe(
      addon.planInfo(forwardPlan).implementation,
    );
    // The transform of the kernel as it is serves both (its transposes read it transposed); a
    // flipping oneDNN plan packs the flipped kernel, another copy.
    expect(addon.sameFilterLayout(forwardPlan, flippedPlan)).toBe(own);
    // Probe as in the test above: copies of kernels earlier tests disposed are released first.
    const probe = tf.ones([1, 1, 1, 1]) as tf.Tensor4D;
    const ones = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
    tf.conv2d(ones, probe, 1, 'valid').dispose();
    tf.conv2d(ones, probe, 1, 'valid').dispose();
    const before = nativeFilterCache()?.filters ?? 0;
    const pad: Padding = padding(1, 1, 1, 1);
    const forward = tf.conv2d(x, weight, 1, 'same');
    const transposed = conv2dWithFlippedKernel(s, weight, pad, [1, 1]);
    expect(nativeFilterCache()?.filters).toBe(before + (own ? 1 : 2));
    // The transpose is the gradient of the convolution, whichever copy it read.
    const gradient = tf.grad((a: tf.Tensor) =>
      tf
        .conv2d(a as tf.Tensor4D, weight, 1, 'same')
        .mul(s)
        .sum(),
    )(x);
    expectTensorClose(transposed, gradient);
    tf.dispose([weight, x, s, forward, transposed, gradient, probe, ones]);
  });
});

describe('a native kernel that throws', () => {
  it('releases the output it allocated in the wasm heap', () => {
    const backend = tf.backend() as unknown as Parameters<typeof heapOutput>[0];
    const before = backend.numDataIds();
    expect(() =>
      heapOutput(backend, [64, 64], () => {
        throw new Error('the addon refused');
      }),
    ).toThrow('the addon refused');
    expect(backend.numDataIds()).toBe(before);
  });
});

describe('convolution plans per thread count', () => {
  it('makes a plan for each thread count this thread computes on, and packs a filter once for plans of one layout', async () => {
    const { addon, conv2D } = await nativeEngineParts();
    // oneDNN runs a plan on the threads it was made for, whatever the setting at the call: the
    // threads set when each plan was made, and whether its filter layout matched an earlier one.
    const madeFor: number[] = [];
    const layoutShared: boolean[] = [];
    const recording: OneDnnAddon = {
      ...addon,
      createPlan: (...args: Parameters<OneDnnAddon['createPlan']>) => {
        madeFor.push(addon.threads());
        return addon.createPlan(...args);
      },
      sameFilterLayout: (a: NativePlan, b: NativePlan) => {
        const same = addon.sameFilterLayout(a, b);
        layoutShared.push(same);
        return same;
      },
    };
    const threadsBefore = addon.threads();
    const convolutions = new NativeConvolutions(recording);
    const x = seeded([2, 9, 9, 16], 81);
    const filter = seeded([3, 3, 16, 24], 82);
    const convolve = () =>
      tf.engine().makeTensorFromTensorInfo(
        convolutions.kernel(conv2D)({
          inputs: { x, filter },
          backend: tf.backend(),
          attrs: { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 },
        }) as tf.TensorInfo,
      );
    try {
      convolutions.setThreads(2);
      const onTwo = convolve();
      convolutions.setThreads(1);
      expect(addon.threads()).toBe(1);
      const onOne = convolve();
      convolutions.setThreads(2);
      const onTwoAgain = convolve();
      // One plan per thread count, each made at its count; the first one kept for the third call.
      expect(madeFor).toEqual([2, 1]);
      expect(layoutShared).toHaveLength(1);
      expect(convolutions.usage().filters).toBe(layoutShared[0] ? 1 : 2);
      const expected = tf.tidy(() => tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 'same'));
      for (const served of [onTwo, onOne, onTwoAgain]) expectTensorClose(served, expected);
      tf.dispose([onTwo, onOne, onTwoAgain, expected]);
    } finally {
      convolutions.clear();
      addon.setThreads(threadsBefore);
      tf.dispose([x, filter]);
    }
  });

  it('shares a packed filter only between plans of one layout and one flip', () => {
    const { addon } = loadOneDnnAddon();
    if (!addon) throw new Error('the addon must load here');
    const threadsBefore = addon.threads();
    // [n, h, w, c, kh, kw, o, oh, ow, strideH, strideW, dilationH, dilationW, top, left, bottom, right]
    const geometry = [1, 9, 9, 16, 3, 3, 24, 9, 9, 1, 1, 1, 1, 1, 1, 1, 1];
    const plan = (flipped: boolean, shape = geometry) =>
      addon.createPlan(shape, false, 'linear', 0, false, flipped);
    try {
      addon.setThreads(2);
      const onTwo = plan(false);
      addon.setThreads(1);
      expect(addon.sameFilterLayout(onTwo, plan(false))).toBe(true);
      expect(addon.sameFilterLayout(onTwo, onTwo)).toBe(true);
      // A flipping plan packs the flipped kernel: never the same copy, even in one layout.
      expect(addon.sameFilterLayout(onTwo, plan(true))).toBe(false);
      // Other channels: another filter shape.
      const wider = [1, 9, 9, 16, 3, 3, 48, 9, 9, 1, 1, 1, 1, 1, 1, 1, 1];
      expect(addon.sameFilterLayout(onTwo, plan(false, wider))).toBe(false);
      expect(() => (addon.sameFilterLayout as (...args: unknown[]) => boolean)(onTwo)).toThrow(
        /sameFilterLayout\(a, b\)/,
      );
    } finally {
      addon.setThreads(threadsBefore);
    }
  });
});

describe('packed filters', () => {
  it('are kept per filter tensor and released once it is disposed', () => {
    const x = tf.ones([1, 6, 6, 3]) as tf.Tensor4D;
    // A first convolution releases what earlier tests left: the count starts from here.
    const kept = seeded([3, 3, 3, 4], 19) as tf.Tensor4D;
    tf.conv2d(x, kept, 1, 'same').dispose();
    const before = nativeFilterCache()?.filters ?? 0;
    const filter = seeded([3, 3, 3, 4], 20) as tf.Tensor4D;
    tf.dispose([tf.conv2d(x, filter, 1, 'same'), tf.conv2d(x, filter, 1, 'same')]);
    expect(nativeFilterCache()?.filters).toBe(before + 1);
    filter.dispose();
    // The next convolution releases the copies of disposed filters.
    const other = seeded([3, 3, 3, 4], 21) as tf.Tensor4D;
    tf.dispose([tf.conv2d(x, other, 1, 'same'), other, x, kept]);
    expect(nativeFilterCache()?.filters).toBe(before + 1);
  });

  it('never convolve with a disposed filter whose heap cells were reused', () => {
    const x = seeded([1, 5, 5, 2], 21) as tf.Tensor4D;
    const first = tf.fill([3, 3, 2, 3], 1) as tf.Tensor4D;
    tf.conv2d(x, first, 1, 'same').dispose();
    first.dispose();
    // Same shape, likely the same heap address: a cache keyed by address would reuse 1s.
    const second = tf.fill([3, 3, 2, 3], 2) as tf.Tensor4D;
    const withSecond = tf.conv2d(x, second, 1, 'same');
    const expected = tf.tidy(() =>
      tf.conv2d(x, tf.fill([3, 3, 2, 3], 1) as tf.Tensor4D, 1, 'same').mul(2),
    );
    expect(Array.from(withSecond.dataSync())).toEqual(Array.from(expected.dataSync()));
    tf.dispose([x, second, withSecond, expected]);
  });

  /** A plan for a 3×3, 2 → 2 filter, its packed copy's bytes, and the filter's values. */
  const smallFilterPlan = () => {
    const { addon } = loadOneDnnAddon();
    if (!addon) throw new Error('the addon must load here');
    const plan = addon.createPlan(
      [1, 4, 4, 2, 3, 3, 2, 4, 4, 1, 1, 1, 1, 1, 1, 1, 1],
      false,
      'linear',
      0,
      false,
      false,
    );
    const values = new Float32Array(3 * 3 * 2 * 2).fill(1);
    return { addon, plan, bytes: addon.planInfo(plan).packedFilterBytes, values };
  };

  it('are released by a sweep of a few per call that passes every copy, hits and all, or all at once', () => {
    const { addon, plan, bytes, values } = smallFilterPlan();
    const sweepOnce = (full: boolean) => {
      const cache = new PackedFilterCache(addon);
      const ids = Array.from({ length: 20 }, () => ({}));
      for (const id of ids) cache.packed(id, plan, 'p', bytes, () => values);
      expect(cache.holds(ids[3], 'p')).toBe(true);
      expect(cache.holds(ids[3], 'q')).toBe(false);
      const dead = new Set([ids[0], ids[7], ids[8], ids[15], ids[19]]);
      const alive = (id: object) => !dead.has(id);
      let calls = 0;
      while (cache.usage().filters > 15) {
        cache.releaseDisposed(alive, full ? Infinity : 4);
        // Each call also hits a live copy, which moves it to the end of the sweep.
        cache.packed(ids[1 + (calls % 5)], plan, 'p', bytes, () => values);
        calls++;
        if (calls > 20) break;
      }
      expect(cache.usage().filters).toBe(15);
      for (const id of dead) expect(cache.holds(id, 'p')).toBe(false);
      cache.clear();
      return calls;
    };
    expect(sweepOnce(true)).toBe(1);
    // 20 copies, 4 per call, and the hits met again at the end: a few calls more than 5.
    expect(sweepOnce(false)).toBeGreaterThanOrEqual(5);
    expect(sweepOnce(false)).toBeLessThanOrEqual(8);
  });

  it('stay within their byte limit, least recently used released first', () => {
    const { addon, plan, bytes, values } = smallFilterPlan();
    const cache = new PackedFilterCache(addon, 2 * bytes);
    const ids = [{}, {}, {}];
    for (const id of ids) cache.packed(id, plan, 'p', bytes, () => values);
    expect(cache.usage()).toEqual({ filters: 2, bytes: 2 * bytes, limitBytes: 2 * bytes });
    // The first was released: asking for it again packs it again (and releases the second).
    let read = 0;
    cache.packed(ids[0], plan, 'p', bytes, () => {
      read++;
      return values;
    });
    expect(read).toBe(1);
    cache.clear();
    expect(cache.usage().filters).toBe(0);
  });
});

describe('the wasm heap on huge pages', () => {
  /** Sizes in KiB of this process's mappings whose VmFlags carry `hg` (madvise MADV_HUGEPAGE). */
  function hugePageAdvisedKiB(): number[] {
    const sizes: number[] = [];
    let size = 0;
    for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
      const sized = /^Size:\s+(\d+) kB/.exec(line);
      if (sized) size = Number(sized[1]);
      if (line.startsWith('VmFlags:') && line.split(/\s+/).includes('hg')) sizes.push(size);
    }
    return sizes;
  }

  const linux = fs.existsSync('/proc/self/smaps');
  (linux ? it : it.skip)(
    'advises the whole address space the heap can grow into, once the native kernels start',
    async () => {
      await initEngine(NATIVE);
      // 4 GiB less the partial 2 MiB pages at its ends, in mappings split where the heap's pages
      // are accessible and where not yet: the heap's reservation, not just its size now.
      const advised = hugePageAdvisedKiB().reduce((total, kib) => total + kib, 0);
      expect(advised).toBeGreaterThanOrEqual(4 * 2 ** 20 - 4 * 2 ** 10);
      const { addon } = loadOneDnnAddon();
      expect(adviseHugePagesForWasmHeap(addon!)).toBe(true);
      // Memory without a whole 2 MiB page is left alone.
      expect(addon!.adviseHugePages(new ArrayBuffer(4096), 4096)).toBe(false);
    },
  );
});

describe('core affinity (ExplainPool pins its workers)', () => {
  it('lists the allowed cores, and pins a worker thread to one without touching this thread', async () => {
    const { addon } = loadOneDnnAddon();
    if (!addon) throw new Error('the addon must load here');
    const allowed = addon.allowedCores();
    expect(allowed.length).toBeGreaterThanOrEqual(1);
    const core = allowed[allowed.length - 1];
    const source =
      `const { parentPort, workerData } = require('worker_threads');` +
      `const addon = require(workerData.path);` +
      `const pinned = addon.pinToCore(workerData.core);` +
      `parentPort.postMessage({ pinned, cores: addon.allowedCores() });`;
    const worker = new Worker(source, {
      eval: true,
      workerData: { path: NATIVE_ADDON_PATH, core },
    });
    const reply = await new Promise<{ pinned: boolean; cores: number[] }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(reply).toEqual({ pinned: true, cores: [core] });
    expect(addon.allowedCores()).toEqual(allowed);
  });
});
