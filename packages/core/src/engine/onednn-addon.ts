/**
 * Loading the optional native kernels (packages/core/native/onednn-kernels.cc, built by
 * `npm run build` when g++ and Debian's libdnnl-dev are present). Only this file knows where the
 * addon lives and what it exports.
 */
import * as fs from 'fs';
import * as path from 'path';
import { messageOf } from '../errors';
import { requireModule } from './module-loader';

/** A convolution shape prepared by oneDNN (opaque: only the addon reads it). */
export interface NativePlan {
  readonly __nativePlan: unique symbol;
}

/** A filter reordered into a plan's layout, in native memory (opaque). */
export interface NativePackedFilter {
  readonly __nativePackedFilter: unique symbol;
}

/** What the addon exports (see onednn-kernels.cc for each function's contract). */
export interface OneDnnAddon {
  /**
   * `geometry`: `[n, h, w, c, kh, kw, o, oh, ow, strideH, strideW, dilationH, dilationW, padTop,
   * padLeft, padBottom, padRight]`, channels last, filter `[kh, kw, c, o]`; `activation` is
   * `'linear'` or one of {@link NATIVE_ACTIVATIONS}, applied after the bias (`alpha`: leakyrelu's).
   * A `transposed` plan maps `[n, oh, ow, o]` back onto `[n, h, w, c]` (TensorFlow's
   * `Conv2DBackpropInput`), with no bias and `'linear'`. A `flipped` plan (never transposed) is
   * handed `[kh, kw, o, c]` filters, the kernels of the stride-1 convolutions it transposes, and
   * convolves with them flipped spatially with their channels swapped (`flipConvKernel`).
   * oneDNN splits a plan's work for the threads set for the calling thread when the plan is made
   * ({@link setThreads}), and runs it on that many whatever the setting at the call.
   */
  createPlan(
    geometry: readonly number[],
    hasBias: boolean,
    activation: string,
    alpha: number,
    transposed: boolean,
    flipped: boolean,
  ): NativePlan;
  /**
   * oneDNN's name for the plan's kernel (`wino_2x3:own` for the addon's own Winograd F(2×2, 3×3),
   * native/winograd-f2x3.h, which serves 3×3 stride-1 layers where oneDNN has no Winograd kernel:
   * CPUs without AVX-512), the bytes of its packed filter, and whether it convolves in oneDNN's
   * blocked layout, with the input and output reordered around it (oneDNN's Winograd plans, and
   * direct ones where oneDNN has no brgconv kernel for channels last: CPUs without AVX-512).
   */
  planInfo(plan: NativePlan): {
    implementation: string;
    packedFilterBytes: number;
    blocked: boolean;
  };
  /** Whether a filter packed for plan `a` serves plan `b`: the same layout and the same flip. */
  sameFilterLayout(a: NativePlan, b: NativePlan): boolean;
  packFilter(plan: NativePlan, filter: Float32Array): NativePackedFilter;
  releaseFilter(packed: NativePackedFilter): void;
  /**
   * `output = input ⋆ filter (+ bias)` with the filter packed for `plan`; `filter` is the filter as
   * given (`[kh, kw, c, o]`; a flipped plan's, the kernel it flips), which a Winograd plan falls
   * back on where its output is not finite.
   */
  convolve(
    plan: NativePlan,
    packed: NativePackedFilter,
    input: Float32Array,
    bias: Float32Array | null,
    output: Float32Array,
    filter: Float32Array,
  ): void;
  /**
   * `c = op(a) · op(b)`, plus `c` when `accumulate`; row major, `op(a)` is `m × k` and `op(b)`
   * `k × n`.
   */
  gemm(
    transposeA: boolean,
    transposeB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    accumulate: boolean,
  ): void;
  /**
   * `out` = max pooling of `x` (channels last; `geometry`: `[n, h, w, c, oh, ow, kh, kw, strideH,
   * strideW, padTop, padLeft]`): each window's largest cell, NaN where it holds a NaN.
   */
  maxPool(x: Float32Array, out: Float32Array, geometry: readonly number[]): void;
  /**
   * `out` = each max-pooling window's relevance `r` on the window's first maximal cell of `x`
   * (`geometry`: `[n, h, w, c, oh, ow, kh, kw, strideH, strideW, padTop, padLeft]`); see
   * layers/max-pooling.ts for the rules.
   */
  routeToWindowMaxima(
    x: Float32Array,
    r: Float32Array,
    out: Float32Array,
    geometry: readonly number[],
  ): void;
  /** The smallest element of `x` (`Infinity` when empty), or NaN when any is NaN or ±Infinity. */
  finiteMinimum(x: Float32Array): number;
  /** `out[b] = Σ|x|` over sample `b` of `x`'s leading axis (`batch` samples), in float32. */
  massPerSample(x: Float32Array, batch: number, out: Float32Array): void;
  /**
   * `out[kh−1−i][kw−1−j][p][q] = kernel[i][j][q][p]`: a convolution kernel of `shape`
   * `[kh, kw, c, o]` flipped spatially with its channels swapped (`[kh, kw, o, c]`), every value
   * moved unchanged.
   */
  flipConvKernel(kernel: Float32Array, shape: readonly number[], out: Float32Array): void;
  /** `out = r / (d + ε·sign(d))` elementwise, sign(0) = +1, as tfjs computes it (rules/stabilise.ts). */
  stabilisedRatio(r: Float32Array, d: Float32Array, epsilon: number, out: Float32Array): void;
  /** `out = a · b` elementwise (arrays of one length), wasm's `Multiply` bit for bit. */
  multiply(a: Float32Array, b: Float32Array, out: Float32Array): void;
  /** `out = a + b` elementwise (arrays of one length), wasm's `Add` bit for bit. */
  add(a: Float32Array, b: Float32Array, out: Float32Array): void;
  /**
   * `out = ((0 + x₀) + x₁) + …` elementwise (at least one array, each of `out`'s length), wasm's
   * `AddN` bit for bit.
   */
  addN(inputs: readonly Float32Array[], out: Float32Array): void;
  /** `out = x` where `x`'s bits read as a signed integer are positive, else +0: wasm's `Relu`. */
  relu(x: Float32Array, out: Float32Array): void;
  /**
   * R-LRP's direct linear step per sample `b` (rules/rlrp.ts): `out = a ⊙ back · (Σ|r| / Σ|a ⊙ back|)`
   * and `check[2b], check[2b + 1] = Σ|a ⊙ back|, Σ|r|`: tfjs' float32 operations, the sums in a
   * fixed order of their own (the same on any number of threads, not tfjs' order).
   */
  rlrpDirectStep(
    a: Float32Array,
    back: Float32Array,
    r: Float32Array,
    batch: number,
    out: Float32Array,
    check: Float32Array,
  ): void;
  /**
   * R-LRP's Add split (rules/rlrp-add-split.ts): `outputs[i] = inputs[i] / y ⊙ r`, `r / n` where
   * `y = 0`, tfjs' values bit for bit, and `check[b]` the shares' total mass in sample `b` (summed
   * in a fixed order of its own on any number of threads; its vector width, and so its last bits,
   * follow the CPU: the split is compiled for AVX-512, AVX2 and the x86-64 baseline).
   */
  rlrpAddSplit(
    inputs: readonly Float32Array[],
    y: Float32Array,
    r: Float32Array,
    batch: number,
    outputs: readonly Float32Array[],
    check: Float32Array,
  ): void;
  /**
   * The transpose of a convolution whose input has few channels (`geometry` as `createPlan`'s,
   * `filter` `[kh, kw, c, o]`): `dy` `[n, oh, ow, o]` onto `out` `[n, h, w, c]`, as one matrix
   * product and a gather; `false` (nothing written) when one image is too large for it.
   */
  transposeOntoFewChannels(
    geometry: readonly number[],
    filter: Float32Array,
    dy: Float32Array,
    out: Float32Array,
  ): boolean;
  /**
   * Frees the calling thread's scratch buffer (Winograd's blocked tensors, the few-channel
   * transpose's columns, flipped filters being packed; at most 64 MiB), which calls otherwise
   * keep for the next one.
   */
  releaseScratch(): void;
  /** The cores the calling thread may run on, in increasing order. */
  allowedCores(): number[];
  /** Pins the calling thread to `core`; whether it worked. */
  pinToCore(core: number): boolean;
  /**
   * Asks Linux for transparent huge pages for the whole 2 MiB pages within `bytes` from the
   * start of `memory`; whether it took the advice (memory that is not mapped is skipped).
   */
  adviseHugePages(memory: ArrayBuffer, bytes: number): boolean;
  /**
   * oneDNN's threads for calls from the calling thread (each thread has its own count): for every
   * kernel, and for the plans made from now on ({@link createPlan}).
   */
  setThreads(threads: number): void;
  threads(): number;
  /** The oneDNN version loaded, e.g. `2.6.3`. */
  version(): string;
}

/** The fused activations the addon applies itself (tfjs' names); prelu is left to wasm. */
export const NATIVE_ACTIVATIONS: ReadonlySet<string> = new Set([
  'linear',
  'relu',
  'relu6',
  'leakyrelu',
  'elu',
  'sigmoid',
]);

/** Where `npm run build` puts the addon (the same from `src/engine` and `dist/engine`). */
export const NATIVE_ADDON_PATH = path.resolve(
  __dirname,
  '..',
  '..',
  'native',
  'build',
  'onednn-kernels.node',
);

/** The addon, or why it cannot be used. */
export type AddonLoad =
  | { readonly addon: OneDnnAddon; readonly reason?: undefined }
  | { readonly addon?: undefined; readonly reason: string };

let loaded: AddonLoad | undefined;

/**
 * Every function the addon exports: a build that lacks one is older than this code. (A record, so
 * that the compiler checks it names every member of {@link OneDnnAddon}.)
 */
const ADDON_FUNCTIONS = Object.keys({
  createPlan: true,
  planInfo: true,
  sameFilterLayout: true,
  packFilter: true,
  releaseFilter: true,
  convolve: true,
  gemm: true,
  transposeOntoFewChannels: true,
  maxPool: true,
  routeToWindowMaxima: true,
  finiteMinimum: true,
  massPerSample: true,
  flipConvKernel: true,
  stabilisedRatio: true,
  multiply: true,
  add: true,
  addN: true,
  relu: true,
  rlrpDirectStep: true,
  rlrpAddSplit: true,
  releaseScratch: true,
  allowedCores: true,
  pinToCore: true,
  setThreads: true,
  adviseHugePages: true,
  threads: true,
  version: true,
} satisfies Record<keyof OneDnnAddon, true>) as (keyof OneDnnAddon)[];

/** Loads the addon once per thread (Node loads a native addon into each worker separately). */
export function loadOneDnnAddon(): AddonLoad {
  if (loaded) return loaded;
  if (!fs.existsSync(NATIVE_ADDON_PATH)) {
    loaded = {
      reason:
        `the native kernels are not built (${NATIVE_ADDON_PATH} is missing; ` +
        '`npm run build` makes it when g++ and libdnnl-dev are installed)',
    };
    return loaded;
  }
  try {
    // Safe: the file is this package's own build of onednn-kernels.cc, which exports these
    // (checked below: a build older than this code lacks some).
    const addon = requireModule(NATIVE_ADDON_PATH) as OneDnnAddon;
    const missing = ADDON_FUNCTIONS.filter((name) => typeof addon[name] !== 'function');
    loaded =
      missing.length === 0
        ? { addon }
        : {
            reason:
              `the native kernels are out of date (${NATIVE_ADDON_PATH} lacks ` +
              `${missing.join(', ')}; \`npm run build\` rebuilds them)`,
          };
  } catch (error) {
    const message = messageOf(error);
    loaded = { reason: `the native kernels failed to load: ${message}` };
  }
  return loaded;
}
