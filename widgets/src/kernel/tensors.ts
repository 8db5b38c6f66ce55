/**
 * Reading engine tensors into the widget state: what the views draw, reduced on the device and
 * read back in one transfer (the full tensors stay in the kernel).
 *
 * Reads happen outside `tf.tidy`, through core's `readComputed`: tidy walks whatever its function
 * returns looking for tensors, element by element for a typed array (~1 s for a VGG16-sized
 * activation on wasm), so a `tf.tidy(() => t.dataSync())` costs far more than the read itself.
 *
 * A sample is taken by slicing (with {@link sampleOf}, or together with a channel), never with
 * `gather`: tfjs-wasm's GatherV2 copies element by element, 1.1 s of a VGG16 trace's 1.2 s read,
 * where a leading-axis slice is one block copy.
 */
import * as tf from '@tensorflow/tfjs';
import { massPerSample, readComputed, type TraceLayer } from '@rlrp/core';
import type { ClassOption, ImageState, LayerState } from '../schema';
import { WidgetOptionError } from '../errors';
import { quantiseToBytes } from '../quantise';

/** A layer whose `data` is a Float32Array (the kernel-side form of {@link LayerState}). */
export type KernelLayer = Omit<LayerState, 'data'> & { data: Float32Array };

/** The kernel-side form of {@link ImageState}. */
export type KernelImage = Omit<ImageState, 'data'> & { data: Uint8Array };

function checkSample(tensor: tf.Tensor, sample: number): void {
  const [batch] = tensor.shape;
  if (!Number.isInteger(sample) || sample < 0 || sample >= batch) {
    throw new WidgetOptionError('sample', `sample ${sample} is outside the batch of ${batch}.`);
  }
}

/**
 * Sample `sample` of a `[batch, ...]` tensor as `[1, ...]`. A batch of one is the tensor itself
 * (a reshape shares its data); otherwise a contiguous leading-axis slice, which tfjs-wasm copies
 * as one block.
 */
function sampleOf(tensor: tf.Tensor, sample: number): tf.Tensor {
  if (tensor.shape[0] === 1) return tensor.reshape(tensor.shape);
  return tensor.slice(sample, 1);
}

/** The values of the tensor `compute` returns (see readComputed), as a fresh array, safe to send. */
function readCopy(compute: () => tf.Tensor): Float32Array {
  // The copy: on the cpu backend the values read may be the backend's own array (a reshape's is
  // its source's), which must not travel (or outlive the tensor) as a widget buffer.
  return Float32Array.from(readComputed(compute));
}

/** Values of sample `sample` of a `[batch, ...]` tensor, as a fresh Float32Array. */
export function sampleValues(tensor: tf.Tensor, sample = 0): Float32Array {
  checkSample(tensor, sample);
  return readCopy(() => sampleOf(tensor, sample).reshape([-1]));
}

/** Sample `sample` of a relevance `[batch, ...shape]` as drawn: spatial maps summed over channels. */
function drawnValues(relevance: tf.Tensor, sample: number): tf.Tensor1D {
  const one = sampleOf(relevance, sample);
  return (relevance.rank === 4 ? one.sum(-1) : one).reshape([-1]);
}

/** One relevance map as the views draw it (a spatial map summed over channels), one device read. */
export function drawnMap(relevance: tf.Tensor, sample = 0): Float32Array {
  checkSample(relevance, sample);
  return readCopy(() => drawnValues(relevance, sample));
}

/** Number of values {@link drawnValues} gives for a relevance of this shape (batch axis included). */
function drawnSize(shape: readonly number[]): number {
  const perSample = shape.length === 4 ? shape.slice(1, 3) : shape.slice(1);
  return perSample.reduce((a, b) => a * b, 1);
}

/**
 * Mass Σ|R| and sum ΣR of sample `sample` of a relevance, as a 2-vector: the mass as the trace
 * reports it (core's massPerSample, one pass on every thread with the native kernels).
 */
function massAndSum(relevance: tf.Tensor, sample: number): tf.Tensor1D {
  const one = sampleOf(relevance, sample);
  return tf.concat([massPerSample(one), one.reshape([1, -1]).sum(1)]) as tf.Tensor1D;
}

/**
 * The trace of one sample (output layer first) as the views draw it: each spatial layer reduced
 * to its channel sum `[H, W]`, dense layers whole, with each layer's mass and sum. All layers come
 * back in one device read (the trace's own `mass`/`sum` would cost core a second one).
 */
export function traceLayers(trace: readonly TraceLayer[], sample = 0): KernelLayer[] {
  if (trace.length === 0) return [];
  return traceLayersFrom(
    trace,
    readCopy(() => drawnTrace(trace, sample)),
  );
}

/**
 * What {@link traceLayers} reads of the trace, as one tensor (the caller reads and disposes it):
 * every layer's drawn values, then every layer's mass and sum. An explorer click reads it in the
 * same transfer as the explanation's checks (`ExplanationSession.explainAndRead`).
 */
export function drawnTrace(trace: readonly TraceLayer[], sample = 0): tf.Tensor1D {
  if (trace.length === 0) return tf.zeros([0]);
  checkSample(trace[0].relevance, sample);
  return tf.tidy(() =>
    tf.concat([
      ...trace.map((layer) => drawnValues(layer.relevance, sample)),
      ...trace.map((layer) => massAndSum(layer.relevance, sample)),
    ]),
  );
}

/** The layers of {@link traceLayers} from the values read of {@link drawnTrace}. */
export function traceLayersFrom(trace: readonly TraceLayer[], values: Float32Array): KernelLayer[] {
  const sizes = trace.map((layer) => drawnSize(layer.relevance.shape));
  const statistics = sizes.reduce((a, b) => a + b, 0);
  if (values.length !== statistics + 2 * trace.length) {
    throw new WidgetOptionError(
      'values',
      `${values.length} values do not match this trace's drawnTrace (${statistics + 2 * trace.length}); ` +
        'read them from drawnTrace of the same trace and sample.',
    );
  }
  let offset = 0;
  return trace.map((layer, i) => {
    const data = values.slice(offset, offset + sizes[i]);
    offset += sizes[i];
    const mass = values[statistics + 2 * i];
    return {
      name: layer.name,
      class_name: layer.className,
      shape: [...layer.outputShape],
      data,
      mass,
      sum: values[statistics + 2 * i + 1],
      vanished: mass === 0,
    };
  });
}

/** One channel `[H, W]` of a spatial layer's relevance, sample `sample`. */
export function channelValues(relevance: tf.Tensor, channel: number, sample = 0): Float32Array {
  checkSample(relevance, sample);
  const channels = relevance.shape[relevance.rank - 1];
  if (relevance.rank !== 4 || !Number.isInteger(channel) || channel < 0 || channel >= channels) {
    throw new WidgetOptionError(
      'channel',
      `channel ${channel} does not exist in a layer of shape [${relevance.shape.slice(1).join(', ')}]; ` +
        `pick 0–${channels - 1} of a spatial layer.`,
    );
  }
  return readCopy(() => relevance.slice([sample, 0, 0, channel], [1, -1, -1, 1]).reshape([-1]));
}

/** The input picture of one sample: `[H, W]` or `[H, W, C]` bytes and the range they span. */
export function inputImage(input: tf.Tensor, sample = 0): KernelImage {
  const values = sampleValues(input, sample);
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max > min)) max = min + 1;
  const shape = input.shape.slice(1);
  const range: [number, number] = [min, max];
  return {
    shape: shape.length === 1 ? [1, shape[0]] : shape,
    data: quantiseToBytes(values, range),
    range,
  };
}

/**
 * Every class of sample `sample` of `[batch, classes]` probabilities, most probable first (the
 * target menu lists them all, top ones first).
 */
export function rankedClasses(
  probabilities: tf.Tensor2D,
  labels: readonly string[] | undefined,
  sample = 0,
): ClassOption[] {
  const row = Array.from(sampleValues(probabilities, sample));
  return row
    .map((probability, index) => ({ index, probability, label: labels?.[index] ?? String(index) }))
    .sort((a, b) => b.probability - a.probability);
}

/**
 * Adds the batch axis when `input` is one sample (rank one less than the model input). Returns
 * the batch and whether it is a new tensor the caller must dispose.
 */
export function asBatch(
  model: tf.LayersModel,
  input: tf.Tensor,
): { batch: tf.Tensor; owned: boolean } {
  const expectedRank = model.inputs[0]?.shape.length ?? input.rank;
  if (input.rank === expectedRank - 1) return { batch: input.expandDims(0), owned: true };
  if (input.rank === expectedRank && input.shape[0] !== 1) {
    throw new WidgetOptionError(
      'input',
      `the widgets explain one sample but the batch has ${input.shape[0]}; pass input.slice(i, 1) for sample i.`,
    );
  }
  return { batch: input, owned: false };
}
