/**
 * The wasm backend's `Conv2D`, `FusedConv2D` and `Conv2DBackpropInput` (the transpose) on oneDNN:
 * channels-last float32 convolutions of any stride, dilation and padding, with a bias and the
 * activations oneDNN fuses; and a kernel of our own, the stride-1 transpose as the forward
 * convolution with the flipped kernel, which flips the kernel only into its packed copy (see
 * {@link conv2dWithFlippedKernel}). Input, filter and
 * output stay in the wasm heap, read and written in place; the filter is reordered once into
 * oneDNN's layout and kept while its tensor lives (packed-filter-cache.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { EngineError } from '../errors';
import { heapFloats, heapOutput } from './heap-output';
import { flipConvKernelKernel } from './native-flip-conv-kernel';
import { NATIVE_ACTIVATIONS, type NativePlan, type OneDnnAddon } from './onednn-addon';
import { PackedFilterCache, type PackedFilterCacheUsage } from './packed-filter-cache';

/** The kernel's name (no tfjs operation has it); see {@link conv2dWithFlippedKernel}. */
export const CONV2D_WITH_FLIPPED_KERNEL = 'RlrpConv2DWithFlippedKernel';

/** {@link conv2dWithFlippedKernel}'s attributes. */
interface FlippedKernelAttrs {
  pad: tf.backend_util.ExplicitPadding;
  dilations: [number, number];
}

/**
 * The stride-1 convolution of `x` with the flipped kernel of `kernel` (`flipConvKernel(kernel)`:
 * `[kh, kw, c, o]` flipped spatially with its channels swapped), which is the stride-1 transpose
 * of the convolution by `kernel`. The native kernels flip `kernel` only into the packed copy they
 * keep for it, so no flipped copy waits in the wasm heap: VGG16's are 59 MB per weight set a rule
 * transposes with, new memory at a rule's first use. The packed copy lives as long as `kernel`
 * (packed-filter-cache.ts). The kernel exists while the native kernels are active, for float32
 * tensors: the caller checks both.
 */
export function conv2dWithFlippedKernel(
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  pad: tf.backend_util.ExplicitPadding,
  dilations: [number, number],
): tf.Tensor4D {
  const attrs: FlippedKernelAttrs = { pad, dilations };
  return tf
    .engine()
    .runKernel(
      CONV2D_WITH_FLIPPED_KERNEL,
      { x, filter: kernel },
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor4D;
}

/** See {@link transposesOntoFewChannels}. */
const FEW_CHANNELS = 4;

/**
 * Whether the native transpose onto `channels` channels (the input channels of the convolution it
 * transposes; at most 4, usually a first layer's RGB or grayscale image) is one matrix product and
 * a gather (transposeOntoFewChannels in the addon): oneDNN's convolutions vectorise over the
 * output's channels and left most of each vector idle there. conv2d.ts sends its stride-1
 * transposes onto so few channels to the native transpose for it.
 */
export function transposesOntoFewChannels(channels: number): boolean {
  return channels <= FEW_CHANNELS;
}

/** Packed filters checked for a disposed tensor per convolution (see PackedFilterCache). */
const SWEEP_PER_CALL = 8;

/**
 * Shapes whose plans are kept. A few dozen cover a model; more are rare, and each plan holds
 * oneDNN's generated code.
 */
const MAX_PLAN_SHAPES = 64;

interface ConvolutionAttrs {
  /** Conv2DBackpropInput's: the shape of the input of the convolution it transposes. */
  inputShape?: number[];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
  leakyreluAlpha?: number;
}

/** One convolution for the addon (see `OneDnnAddon.createPlan` and `convolve`). */
interface NativeCall {
  readonly geometry: readonly number[];
  readonly x: tf.TensorInfo;
  readonly filter: tf.TensorInfo;
  readonly bias: tf.TensorInfo | undefined;
  readonly activation: string;
  readonly alpha: number;
  readonly transposed: boolean;
  readonly flipped: boolean;
}

/** The addon's geometry of a convolution (`OneDnnAddon.createPlan`). */
function geometryOf(info: tf.backend_util.Conv2DInfo): number[] {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
    info.outChannels,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
    info.padInfo.bottom,
    info.padInfo.right,
  ];
}

/** The addon's name for its own Winograd F(2×2, 3×3) plans (native/winograd-f2x3.h). */
const OWN_WINOGRAD = 'wino_2x3:own';

/**
 * The name every own Winograd plan keeps its packed filters under: its copy is the filter's
 * Winograd transform, the same for every such plan of the filter, whatever its thread count and
 * whether it convolves with the filter or transposes it (a flipping plan reads the transform of the
 * kernel it flips). So a 3×3 layer's forward and backward passes share one copy, 16/9 of the filter.
 */
const OWN_WINOGRAD_FILTERS = 'winograd-f2x3';

interface PlanEntry {
  readonly plan: NativePlan;
  /**
   * The name its packed filters are kept under (per filter and name): its own, or that of a plan
   * for the same shape and other threads which takes the same layout (`sameFilterLayout`), or
   * {@link OWN_WINOGRAD_FILTERS}.
   */
  readonly filterKey: string;
  readonly packedFilterBytes: number;
}

/** The convolutions of one thread's addon: its plans and its packed filters. */
export class NativeConvolutions {
  /** By shape, then by the threads they were made for; `null` where oneDNN refused the shape. */
  private readonly plans = new Map<string, Map<number, PlanEntry | null>>();
  private nextFilterKey = 0;
  private readonly filters: PackedFilterCache;
  /** The addon's threads for calls from this thread, as last set (see {@link setThreads}). */
  private threads: number;

  constructor(private readonly addon: OneDnnAddon) {
    this.filters = new PackedFilterCache(addon);
    this.threads = addon.threads();
  }

  /**
   * Sets the threads every native kernel computes on for calls from this thread (the addon's one
   * setting). Plans are kept per thread count because oneDNN runs a plan on the threads it was
   * made for: a plan made for 2 threads and called while this thread shared the cores with a
   * pool's worker (limitNativeThreads) kept three threads busy on two cores, and compareMethods
   * on two threads took longer than on one.
   */
  setThreads(threads: number): void {
    this.addon.setThreads(threads);
    this.threads = threads;
  }

  /**
   * The kernel replacing `own` (wasm's `Conv2D`, `FusedConv2D` or `Conv2DBackpropInput`), which
   * serves what it cannot.
   */
  kernel(own: tf.KernelConfig): tf.KernelFunc {
    return (args) => this.convolve(own, args);
  }

  /**
   * The kernel of {@link conv2dWithFlippedKernel}, for float32 tensors; `conv2D`, wasm's own,
   * serves what the native convolution cannot (an empty tensor, a shape oneDNN refuses), on a
   * flipped copy made for the call.
   */
  flippedKernel(conv2D: tf.KernelConfig): tf.KernelFunc {
    return (args) => this.convolveWithFlipped(conv2D, args);
  }

  /** What the packed filters cost now. */
  usage(): PackedFilterCacheUsage {
    return this.filters.usage();
  }

  /** Releases every packed filter and the addon's scratch buffer. */
  clear(): void {
    this.filters.clear();
    this.addon.releaseScratch();
  }

  private convolve(own: tf.KernelConfig, args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
    // Safe: tfjs calls this for Conv2D, FusedConv2D and Conv2DBackpropInput, whose attributes
    // these are.
    const attrs = args.attrs as unknown as ConvolutionAttrs;
    const transposed = own.kernelName === 'Conv2DBackpropInput';
    const x = (transposed ? args.inputs.dy : args.inputs.x) as tf.TensorInfo;
    const filter = args.inputs.filter as tf.TensorInfo;
    const bias = args.inputs.bias as tf.TensorInfo | undefined;
    const activation = attrs.activation ?? 'linear';
    const servable =
      x.dtype === 'float32' &&
      filter.dtype === 'float32' &&
      attrs.dataFormat === 'NHWC' &&
      NATIVE_ACTIVATIONS.has(activation) &&
      args.inputs.preluActivationWeights === undefined &&
      (bias === undefined ||
        (bias.dtype === 'float32' &&
          bias.shape.length === 1 &&
          bias.shape[0] === filter.shape[3])) &&
      x.shape.every((d) => d > 0) &&
      filter.shape.every((d) => d > 0) &&
      // oneDNN's output size rounds down; tfjs may round a numeric padding's up.
      (attrs.dimRoundingMode === undefined || attrs.dimRoundingMode === 'floor');
    if (!servable) return own.kernelFunc(args) as tf.TensorInfo;
    const info = tf.backend_util.computeConv2DInfo(
      // The transpose's geometry is that of the convolution it transposes, from its input shape.
      (transposed ? attrs.inputShape : x.shape) as [number, number, number, number],
      filter.shape as [number, number, number, number],
      attrs.strides,
      transposed ? 1 : (attrs.dilations ?? 1),
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      'channelsLast',
    );
    if (transposed && !info.outShape.every((d, i) => d === x.shape[i])) {
      return own.kernelFunc(args) as tf.TensorInfo;
    }
    if (info.outShape.some((d) => d === 0)) return own.kernelFunc(args) as tf.TensorInfo;
    const geometry = geometryOf(info);
    // Safe: registered on the wasm backend only (native-kernels.ts).
    const backend = args.backend as unknown as BackendWasm;
    if (transposed && transposesOntoFewChannels(info.inChannels)) {
      let served = false;
      // Inside heapOutput's fill: the output is released again when the addon throws.
      const output = heapOutput(backend, info.inShape, (out) => {
        served = this.addon.transposeOntoFewChannels(
          geometry,
          heapFloats(backend, filter),
          heapFloats(backend, x),
          heapFloats(backend, out),
        );
      });
      if (served) return output;
      // One image too large for its columns: oneDNN's transpose below.
      backend.disposeData(output.dataId);
    }
    // The slope wasm's own kernel uses when the call gives none.
    const alpha = activation === 'leakyrelu' ? (attrs.leakyreluAlpha ?? 0) : 0;
    const outShape = transposed ? info.inShape : info.outShape;
    const call = { geometry, x, filter, bias, activation, alpha, transposed, flipped: false };
    // A shape oneDNN refuses is wasm's to compute.
    return this.run(backend, outShape, call) ?? (own.kernelFunc(args) as tf.TensorInfo);
  }

  private convolveWithFlipped(
    conv2D: tf.KernelConfig,
    args: Parameters<tf.KernelFunc>[0],
  ): tf.TensorInfo {
    // Safe: conv2dWithFlippedKernel's attributes, and registered on the wasm backend only.
    const { pad, dilations } = args.attrs as unknown as FlippedKernelAttrs;
    const backend = args.backend as unknown as BackendWasm;
    const x = args.inputs.x as tf.TensorInfo;
    const kernel = args.inputs.filter as tf.TensorInfo;
    if (x.dtype !== 'float32' || kernel.dtype !== 'float32') {
      throw new EngineError(
        `${CONV2D_WITH_FLIPPED_KERNEL} takes float32 tensors, not ${x.dtype} and ${kernel.dtype}: ` +
          'cast them first.',
      );
    }
    // The addon would refuse mismatched buffers too, but only as "wrong number of elements".
    if (x.shape.length !== 4 || kernel.shape.length !== 4 || x.shape[3] !== kernel.shape[3]) {
      throw new EngineError(
        `${CONV2D_WITH_FLIPPED_KERNEL} convolves x [n, h, w, o] with the flipped kernel of ` +
          `[kh, kw, c, o]: x's channels must be the kernel's last axis, got x [${x.shape.join(', ')}] ` +
          `and kernel [${kernel.shape.join(', ')}].`,
      );
    }
    const [kh, kw, c, o] = kernel.shape;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      [kh, kw, o, c],
      1,
      dilations,
      pad,
      undefined,
      false,
      'channelsLast',
    );
    const servable =
      x.shape.every((d) => d > 0) &&
      kernel.shape.every((d) => d > 0) &&
      info.outShape.every((d) => d > 0);
    const call = {
      geometry: geometryOf(info),
      x,
      filter: kernel,
      bias: undefined,
      activation: 'linear',
      alpha: 0,
      transposed: false,
      flipped: true,
    };
    const output = servable ? this.run(backend, info.outShape, call) : null;
    if (output !== null) return output;
    // The flipped kernel made for this call only (the flip kernel's own function), and the
    // convolution done by `conv2D`.
    const flipped = flipConvKernelKernel(this.addon)({
      inputs: { kernel },
      backend: args.backend,
      attrs: {},
    }) as tf.TensorInfo;
    try {
      return conv2D.kernelFunc({
        inputs: { x, filter: flipped },
        backend: args.backend,
        attrs: { strides: 1, pad, dataFormat: 'NHWC', dilations },
      }) as tf.TensorInfo;
    } finally {
      backend.disposeData(flipped.dataId);
    }
  }

  /**
   * `call` on oneDNN into a new output of `outShape`; `null` when oneDNN refuses its shape (the
   * caller's wasm kernel computes it then).
   */
  private run(
    backend: BackendWasm,
    outShape: readonly number[],
    call: NativeCall,
  ): tf.TensorInfo | null {
    const { geometry, x, filter, bias, activation, alpha, transposed, flipped } = call;
    const hasBias = bias !== undefined;
    const shape = [geometry.join(','), hasBias, activation, alpha, transposed, flipped].join('|');
    const plan = this.planFor(shape, () =>
      this.addon.createPlan(geometry, hasBias, activation, alpha, transposed, flipped),
    );
    if (plan === null) return null;
    // A few copies checked per call; all of them before packing a new one, so that copies of
    // disposed filters never add up.
    this.filters.releaseDisposed(
      (dataId) => backend.dataIdMap.has(dataId),
      this.filters.holds(filter.dataId, plan.filterKey) ? SWEEP_PER_CALL : Infinity,
    );
    return heapOutput(backend, outShape, (output) => {
      // A flipping plan flips the filter into the addon's scratch buffer to pack it (and again
      // for a Winograd plan's direct fallback): the filter given is the kernel as it is.
      const packed = this.filters.packed(
        filter.dataId,
        plan.plan,
        plan.filterKey,
        plan.packedFilterBytes,
        () => heapFloats(backend, filter),
      );
      this.addon.convolve(
        plan.plan,
        packed,
        heapFloats(backend, x),
        bias !== undefined ? heapFloats(backend, bias) : null,
        heapFloats(backend, output),
        heapFloats(backend, filter),
      );
    });
  }

  /**
   * The plan for `shape` on this thread's threads, made by `create` once; `null` when oneDNN
   * refuses the shape.
   */
  private planFor(shape: string, create: () => NativePlan): PlanEntry | null {
    let byThreads = this.plans.get(shape);
    const kept = byThreads?.get(this.threads);
    if (kept !== undefined) return kept;
    let entry: PlanEntry | null = null;
    try {
      const plan = create();
      const { implementation, packedFilterBytes } = this.addon.planInfo(plan);
      entry = {
        plan,
        filterKey:
          implementation === OWN_WINOGRAD
            ? OWN_WINOGRAD_FILTERS
            : this.filterKeyFor(plan, byThreads?.values() ?? []),
        packedFilterBytes,
      };
    } catch (error) {
      // A call the addon does not understand (an addon built from other source) is a defect to
      // report, not a shape to leave to wasm without a word.
      if ((error as { code?: unknown }).code === 'ERR_RLRP_ONEDNN_ARGUMENT') throw error;
      // Remembered: the refusal is a property of the shape.
    }
    if (!byThreads) {
      if (this.plans.size >= MAX_PLAN_SHAPES) {
        // The oldest shape's plans go; the addon frees them when their handles are collected.
        // Filters packed for them are keyed by their filterKey, so a plan made again for the
        // shape packs its own.
        this.plans.delete(this.plans.keys().next().value as string);
      }
      byThreads = new Map();
      this.plans.set(shape, byThreads);
    }
    byThreads.set(this.threads, entry);
    return entry;
  }

  /**
   * The name `plan`'s packed filters are kept under: that of one of `sameShape` (plans for its
   * shape and other thread counts) which takes the same layout, so that a model's filters are
   * packed once for both, else a new one.
   */
  private filterKeyFor(plan: NativePlan, sameShape: Iterable<PlanEntry | null>): string {
    for (const other of sameShape) {
      if (other && this.addon.sameFilterLayout(other.plan, plan)) return other.filterKey;
    }
    return `filters${this.nextFilterKey++}`;
  }
}
