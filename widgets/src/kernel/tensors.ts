/**
 * Reading engine tensors into the widget state: one sample of the trace as Float32Arrays (sent
 * as binary buffers), the input picture, the top-k classes.
 */
import * as tf from '@tensorflow/tfjs';
import type { TraceLayer } from '@rlrp/core';
import type { KernelImage, KernelLayer } from '../fallback/fallback-figure';
import type { ClassOption } from '../schema';
import { WidgetOptionError } from '../errors';

/** Values of sample `sample` of a `[batch, ...]` tensor, as a fresh Float32Array. */
export function sampleValues(tensor: tf.Tensor, sample = 0): Float32Array {
  const [batch] = tensor.shape;
  if (sample < 0 || sample >= batch) {
    throw new WidgetOptionError('sample', `sample ${sample} is outside the batch of ${batch}.`);
  }
  // A batch of one needs no slice. The copy is kept: on the cpu backend dataSync returns the
  // backend's own array, which must not travel (or outlive the tensor) as a widget buffer.
  if (batch === 1) return Float32Array.from(tensor.dataSync());
  return Float32Array.from(tf.tidy(() => tensor.gather([sample]).dataSync()));
}

/** The trace of one sample (output layer first) in the kernel-side state form. */
export function traceLayers(trace: readonly TraceLayer[], sample = 0): KernelLayer[] {
  return trace.map((layer) => ({
    name: layer.name,
    class_name: layer.className,
    shape: [...layer.outputShape],
    data: sampleValues(layer.relevance, sample),
    mass: layer.mass[sample],
    sum: layer.sum[sample],
    vanished: layer.vanished[sample],
  }));
}

/** The input picture of one sample: `[H, W]` or `[H, W, C]` values and their range. */
export function inputImage(input: tf.Tensor, sample = 0): KernelImage {
  const data = sampleValues(input, sample);
  let min = Infinity;
  let max = -Infinity;
  for (const v of data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max > min)) max = min + 1;
  const shape = input.shape.slice(1);
  return { shape: shape.length === 1 ? [1, shape[0]] : shape, data, range: [min, max] };
}

/** The `k` most probable classes of sample `sample` of `[batch, classes]` probabilities. */
export function topClasses(
  probabilities: tf.Tensor2D,
  labels: readonly string[] | undefined,
  k = 5,
  sample = 0,
): ClassOption[] {
  const row = Array.from(tf.tidy(() => probabilities.gather([sample]).dataSync()));
  return row
    .map((probability, index) => ({ index, probability, label: labels?.[index] ?? String(index) }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, k);
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
