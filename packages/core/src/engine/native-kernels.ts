/**
 * Native kernels for the wasm engine: the wasm backend's convolutions and matrix products are
 * replaced by oneDNN's (native/onednn-kernels.cc), which read and write the wasm heap in place,
 * its max pooling by a native loop (native-max-pool.ts), and its elementwise products, sums and
 * rectifiers on tensors of one shape by native loops (native-elementwise.ts). Max pooling's
 * relevance routing, the forward pass's overflow check, the classical rules' stabilised ratio,
 * R-LRP's masses, direct step and Add split, the flipped kernel of a transposed convolution and
 * the stride-1 transpose as a convolution with that flipped kernel get native kernels of their own
 * (native-window-maxima.ts, native-finite-minimum.ts, native-stabilised-ratio.ts,
 * native-mass-per-sample.ts, native-rlrp-direct-step.ts, native-rlrp-add-split.ts,
 * native-flip-conv-kernel.ts, native-convolution.ts); everything else stays on wasm. Starting
 * them also asks for huge pages for the wasm heap (wasm-heap-pages.ts). Why: convolutions and
 * dense layers are most of an explanation's time on VGG- and ResNet-sized models, and XNNPACK's
 * 128-bit WebAssembly SIMD runs them 3–4× slower than oneDNN's AVX2 / AVX-512 code on the same
 * cores (docs/performance.md).
 * PyTorch's CPU convolutions are the same library.
 *
 * Each replacement hands the calls it cannot serve (not float32, channels first, a fused prelu, a
 * bias that broadcasts, …) to the wasm kernel it replaced.
 */
import * as tf from '@tensorflow/tfjs';
import { CONV2D_WITH_FLIPPED_KERNEL, NativeConvolutions } from './native-convolution';
import { ELEMENTWISE_KERNELS, nativeElementwiseKernel } from './native-elementwise';
import { FINITE_MINIMUM, finiteMinimumKernel } from './native-finite-minimum';
import { MASS_PER_SAMPLE, massPerSampleKernel } from './native-mass-per-sample';
import { nativeMatMulKernel } from './native-matmul';
import { nativeMaxPoolKernel } from './native-max-pool';
import { ROUTE_TO_WINDOW_MAXIMA, windowMaximaKernel } from './native-window-maxima';
import { STABILISED_RATIO, stabilisedRatioKernel } from './native-stabilised-ratio';
import { FLIP_CONV_KERNEL, flipConvKernelKernel } from './native-flip-conv-kernel';
import { RLRP_ADD_SPLIT, rlrpAddSplitKernel } from './native-rlrp-add-split';
import { RLRP_DIRECT_STEP, rlrpDirectStepKernel } from './native-rlrp-direct-step';
import { loadOneDnnAddon, type OneDnnAddon } from './onednn-addon';
import { adviseHugePagesForWasmHeap } from './wasm-heap-pages';
import type { PackedFilterCacheUsage } from './packed-filter-cache';

/** Whether native kernels serve the wasm engine, on how many threads, and why. */
export interface EngineNativeKernels {
  /** `true` when the wasm engine's convolutions and matrix products run on oneDNN. */
  readonly active: boolean;
  /** The wasm kernels replaced, e.g. `Conv2D` and `BatchMatMul`. */
  readonly kernels: readonly string[];
  /** oneDNN's version when active, e.g. `'2.6.3'`; `null` otherwise. */
  readonly library: string | null;
  /** The threads each native kernel computes on; `null` when not active. */
  readonly threads: number | null;
  /** Why active or not, in one sentence. */
  readonly reason: string;
}

/** Environment variable that turns the native kernels off (`0`) when `initEngine` is given no option. */
export const NATIVE_KERNELS_ENV_VAR = 'RLRP_NATIVE_KERNELS';

const CONVOLUTIONS = ['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput'] as const;
const MATRIX_PRODUCTS = ['BatchMatMul', '_FusedMatMul'] as const;
const REPLACED: readonly string[] = [
  ...CONVOLUTIONS,
  ...MATRIX_PRODUCTS,
  'MaxPool',
  ...ELEMENTWISE_KERNELS,
];

interface Active {
  readonly addon: OneDnnAddon;
  /** wasm's own kernels, by name, to put back. */
  readonly replaced: ReadonlyMap<string, tf.KernelConfig>;
  readonly convolutions: NativeConvolutions;
  readonly threads: number;
  /**
   * How many callers hold these kernels at a cap now (see limitNativeThreads): one count per
   * thread setting, so a re-threaded engine starts with none held.
   */
  readonly limits: { held: number };
}

let active: Active | undefined;

/**
 * Replaces the wasm backend's convolutions and matrix products by oneDNN's and its max pooling,
 * products, sums and rectifiers by the addon's, computing on `threads` threads, when the addon is
 * built and loads; otherwise leaves wasm's own and says why.
 */
export function enableNativeKernels(threads: number): EngineNativeKernels {
  if (active) {
    active.convolutions.setThreads(threads);
    active = { ...active, threads, limits: { held: 0 } };
    return describe(active);
  }
  const load = loadOneDnnAddon();
  if (!load.addon) return inactive(load.reason);
  const { addon } = load;
  const replaced = new Map<string, tf.KernelConfig>();
  for (const name of REPLACED) {
    const own = tf.getKernel(name, 'wasm');
    if (!own) return inactive(`the wasm backend has no ${name} kernel to replace`);
    replaced.set(name, own);
  }
  adviseHugePagesForWasmHeap(addon);
  const convolutions = new NativeConvolutions(addon);
  convolutions.setThreads(threads);
  active = { addon, replaced, convolutions, threads, limits: { held: 0 } };
  for (const [name, own] of replaced) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...own, kernelFunc: replacement(own, addon, convolutions) });
  }
  for (const [kernelName, kernel] of OWN_KERNELS) {
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernel(addon) });
  }
  tf.registerKernel({
    kernelName: CONV2D_WITH_FLIPPED_KERNEL,
    backendName: 'wasm',
    // Safe: REPLACED includes Conv2D, checked above.
    kernelFunc: convolutions.flippedKernel(replaced.get('Conv2D') as tf.KernelConfig),
  });
  return describe(active);
}

/** The native kernel replacing wasm's `own`, which serves the calls it cannot. */
function replacement(
  own: tf.KernelConfig,
  addon: OneDnnAddon,
  convolutions: NativeConvolutions,
): tf.KernelFunc {
  if ((CONVOLUTIONS as readonly string[]).includes(own.kernelName)) return convolutions.kernel(own);
  if (own.kernelName === 'MaxPool') return nativeMaxPoolKernel(addon, own);
  if (ELEMENTWISE_KERNELS.includes(own.kernelName)) {
    return nativeElementwiseKernel(addon, own);
  }
  return nativeMatMulKernel(addon, own);
}

/** The kernels of our own that no tfjs operation has, by name, added to the wasm backend. */
const OWN_KERNELS: readonly (readonly [string, (addon: OneDnnAddon) => tf.KernelFunc])[] = [
  [ROUTE_TO_WINDOW_MAXIMA, windowMaximaKernel],
  [FINITE_MINIMUM, finiteMinimumKernel],
  [MASS_PER_SAMPLE, massPerSampleKernel],
  [STABILISED_RATIO, stabilisedRatioKernel],
  [FLIP_CONV_KERNEL, flipConvKernelKernel],
  [RLRP_DIRECT_STEP, rlrpDirectStepKernel],
  [RLRP_ADD_SPLIT, rlrpAddSplitKernel],
];

/** Puts the wasm backend's own kernels back and frees the native copies of filters. */
export function disableNativeKernels(reason: string): EngineNativeKernels {
  if (active) {
    for (const own of active.replaced.values()) {
      tf.unregisterKernel(own.kernelName, 'wasm');
      tf.registerKernel(own);
    }
    for (const [kernelName] of OWN_KERNELS) tf.unregisterKernel(kernelName, 'wasm');
    tf.unregisterKernel(CONV2D_WITH_FLIPPED_KERNEL, 'wasm');
    active.convolutions.clear();
    active = undefined;
  }
  return inactive(reason);
}

/**
 * Whether the wasm backend's convolutions and matrix products run natively now (and max pooling's
 * relevance routing, native-window-maxima.ts, and the other native kernels): they are on and wasm
 * is the backend.
 */
export function nativeKernelsActive(): boolean {
  // After a direct tf.setBackend (not initEngine) they are registered but serve nothing.
  return active !== undefined && tf.getBackend() === 'wasm';
}

/**
 * Caps the threads the native kernels compute on from this thread at `threads` (while this thread
 * works beside a pool's workers, each of which has a core of its own), and gives the function that
 * lifts the cap once every caller that set one has lifted its own (overlapping comparisons). Does
 * nothing when the kernels are not active or already use no more; lifting does nothing once the
 * kernels were switched or re-threaded since. `EngineInfo` keeps reporting the engine's own count.
 */
export function limitNativeThreads(threads: number): () => void {
  const limited = active;
  if (!limited || limited.threads <= threads) return () => undefined;
  if (limited.limits.held++ === 0) limited.convolutions.setThreads(threads);
  let lifted = false;
  return () => {
    if (lifted) return;
    lifted = true;
    if (--limited.limits.held === 0 && active === limited)
      limited.convolutions.setThreads(limited.threads);
  };
}

/**
 * What the native convolutions keep: filters reordered into oneDNN's layout, one copy per filter
 * tensor and shape (in native memory, outside the wasm heap). The copy of a disposed tensor is
 * released by a later convolution: each checks a few copies, and one that packs a new copy first
 * releases every copy whose tensor is gone.
 * `undefined` when the native kernels are not active.
 */
export function nativeFilterCache(): PackedFilterCacheUsage | undefined {
  return active?.convolutions.usage();
}

function inactive(reason: string): EngineNativeKernels {
  return { active: false, kernels: [], library: null, threads: null, reason };
}

function describe(state: Active): EngineNativeKernels {
  const library = state.addon.version();
  const threads = `${state.threads} thread${state.threads === 1 ? '' : 's'}`;
  return {
    active: true,
    kernels: REPLACED,
    library,
    threads: state.threads,
    reason: `convolutions and matrix products run on oneDNN ${library}, max pooling and elementwise products, sums and rectifiers on the addon's own loops, on ${threads}; the rest on wasm`,
  };
}
