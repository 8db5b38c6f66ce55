/**
 * Turning a relevance tensor or array into one 2-D map: pick the sample, reduce the channels.
 */
import * as tf from '@tensorflow/tfjs';
import { HeatmapInputError } from './errors';

/** Relevance (or any image-like values) as a flat array plus its shape, row-major, channels last. */
export interface ShapedArray {
  /** Values in row-major order, channels last. */
  readonly data: ArrayLike<number>;
  /** `[H, W]`, `[H, W, C]` or `[N, H, W, C]`. */
  readonly shape: readonly number[];
}

/** A single-channel 2-D map, row-major. */
export interface RelevanceMap {
  /** `height · width` values, row-major. */
  readonly values: Float32Array;
  readonly height: number;
  readonly width: number;
}

/**
 * Relevance accepted by the heatmap functions: a tensor or {@link ShapedArray} of shape `[H, W]`,
 * `[H, W, C]` or `[N, H, W, C]`, or an already reduced {@link RelevanceMap}.
 */
export type RelevanceSource = tf.Tensor | ShapedArray | RelevanceMap;

/**
 * How the channels of one pixel become one value:
 * - `'sum'` (default): ΣR — keeps the sign, the relevance of the pixel as a whole (LRP conserves it);
 * - `'absSum'`: Σ|R| — unsigned magnitude;
 * - `'max-abs'`: the channel value of largest magnitude, with its sign;
 * - `'l2'`: √ΣR² — unsigned magnitude;
 * - `'mean'`: ΣR / C — signed;
 * - `'positive-sum'`: Σmax(R, 0) — only evidence for the target.
 */
export type ChannelReduction = 'sum' | 'absSum' | 'max-abs' | 'l2' | 'mean' | 'positive-sum';

/** Names of every {@link ChannelReduction}. */
export const CHANNEL_REDUCTIONS: readonly ChannelReduction[] = Object.freeze([
  'sum',
  'absSum',
  'max-abs',
  'l2',
  'mean',
  'positive-sum',
]);

/** Options of {@link reduceChannels}. */
export interface ReduceOptions {
  /** Channel reduction; default `'sum'`. */
  readonly reduction?: ChannelReduction;
  /**
   * Which sample of a batch `[N, H, W, C]` to draw; default 0. Required when `N > 1`, so that a
   * batch is never silently cut to its first sample.
   */
  readonly sample?: number;
}

/** Whether `source` is an already reduced {@link RelevanceMap}. */
export function isRelevanceMap(source: RelevanceSource): source is RelevanceMap {
  return (
    !(source instanceof tf.Tensor) && 'values' in source && 'height' in source && 'width' in source
  );
}

/** Values of a tensor or shaped array as a flat array plus shape (no tensors are created). */
export function readShaped(source: tf.Tensor | ShapedArray): {
  data: ArrayLike<number>;
  shape: readonly number[];
} {
  if (source instanceof tf.Tensor) {
    if (source.isDisposed) {
      throw new HeatmapInputError(
        'The tensor was already disposed; draw it before disposing it (or keep it alive).',
      );
    }
    return { data: source.dataSync(), shape: source.shape };
  }
  const expected = source.shape.reduce((a, b) => a * b, 1);
  if (source.data.length !== expected) {
    throw new HeatmapInputError(
      `The array has ${source.data.length} values but its shape [${source.shape.join(', ')}] ` +
        `needs ${expected}. Pass the shape the data was flattened from.`,
    );
  }
  return source;
}

/** Layout of one sample inside a shaped array: height, width, channels and where it starts. */
export interface SampleLayout {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly offset: number;
}

/**
 * Finds the `[H, W, C]` sample inside a `[H, W]`, `[H, W, C]` or `[N, H, W, C]` shape.
 *
 * @param what - What the values are, for error messages (`'relevance'`, `'image'`).
 */
export function sampleLayout(
  shape: readonly number[],
  sample: number | undefined,
  what: string,
): SampleLayout {
  if (shape.length === 2) return { height: shape[0], width: shape[1], channels: 1, offset: 0 };
  if (shape.length === 3) {
    return { height: shape[0], width: shape[1], channels: shape[2], offset: 0 };
  }
  if (shape.length === 4) {
    const [batch, height, width, channels] = shape;
    if (sample === undefined && batch > 1) {
      throw new HeatmapInputError(
        `The ${what} holds a batch of ${batch} samples (shape [${shape.join(', ')}]). ` +
          `Pass { sample: i } to choose which one to draw.`,
      );
    }
    const index = sample ?? 0;
    if (!Number.isInteger(index) || index < 0 || index >= batch) {
      throw new HeatmapInputError(
        `Sample ${index} does not exist in a batch of ${batch}; choose 0…${batch - 1}.`,
      );
    }
    return { height, width, channels, offset: index * height * width * channels };
  }
  throw new HeatmapInputError(
    `Cannot draw ${what} of shape [${shape.join(', ')}]: expected [H, W], [H, W, C] or ` +
      `[N, H, W, C] (channels last). Reshape it, e.g. a flat 784-vector to [28, 28].`,
  );
}

function reduceOne(data: ArrayLike<number>, start: number, count: number, how: ChannelReduction) {
  let acc = 0;
  switch (how) {
    case 'sum':
    case 'mean':
      for (let c = 0; c < count; c++) acc += data[start + c];
      return how === 'mean' ? acc / count : acc;
    case 'absSum':
      for (let c = 0; c < count; c++) acc += Math.abs(data[start + c]);
      return acc;
    case 'positive-sum':
      for (let c = 0; c < count; c++) acc += Math.max(0, data[start + c]);
      return acc;
    case 'l2':
      for (let c = 0; c < count; c++) acc += data[start + c] * data[start + c];
      return Math.sqrt(acc);
    case 'max-abs':
      for (let c = 0; c < count; c++) {
        const v = data[start + c];
        if (Math.abs(v) > Math.abs(acc)) acc = v;
      }
      return acc;
  }
}

/**
 * Reduces relevance to one 2-D map: selects the sample of a batch and combines the channels of
 * each pixel (see {@link ChannelReduction}). A {@link RelevanceMap} is returned unchanged. Tensors
 * are read synchronously and not disposed (they stay the caller's).
 *
 * @throws {@link HeatmapInputError} for an unsupported shape, a batch without `sample`, an
 *   unknown reduction or a data length that does not match the shape.
 */
export function reduceChannels(source: RelevanceSource, options: ReduceOptions = {}): RelevanceMap {
  if (isRelevanceMap(source)) return source;
  const how = options.reduction ?? 'sum';
  if (!CHANNEL_REDUCTIONS.includes(how)) {
    throw new HeatmapInputError(
      `Unknown channel reduction "${String(how)}". Use one of: ${CHANNEL_REDUCTIONS.join(', ')}.`,
    );
  }
  const { data, shape } = readShaped(source);
  const { height, width, channels, offset } = sampleLayout(shape, options.sample, 'relevance');
  const values = new Float32Array(height * width);
  for (let p = 0; p < values.length; p++) {
    values[p] = reduceOne(data, offset + p * channels, channels, how);
  }
  return { values, height, width };
}
