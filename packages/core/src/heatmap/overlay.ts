/**
 * Heatmap over the input image: the image shows through where relevance is weak.
 */
import * as tf from '@tensorflow/tfjs';
import { getColormap } from './colormaps';
import { HeatmapInputError } from './errors';
import { upscaleFactor, normalizeFor, type Heatmap, type HeatmapOptions } from './heatmap';
import {
  readShaped,
  reduceChannels,
  sampleLayout,
  type RelevanceSource,
  type ShapedArray,
} from './relevance-map';
import { assertRgbaImage, colorize, type RgbaImage } from './rgba';
import { upscaleNearest } from './upscale';

/**
 * The image under an overlay: a tensor or {@link ShapedArray} of shape `[H, W]`, `[H, W, C]` or
 * `[N, H, W, C]` with C = 1 (grayscale), 3 (RGB) or 4 (RGBA, alpha ignored), or an {@link RgbaImage}.
 */
export type ImageSource = tf.Tensor | ShapedArray | RgbaImage;

/** Options of {@link overlayHeatmap}. */
export interface OverlayOptions extends HeatmapOptions {
  /** Opacity of the heatmap colours over the image, 0…1; default 0.5. */
  readonly opacity?: number;
  /**
   * Only colour pixels with |R| above this fraction of the colour-scale bound
   * (max(|low|, |high|)), 0…1; elsewhere the image shows unchanged. Default 0: every pixel is
   * coloured.
   */
  readonly threshold?: number;
  /** Value range of a tensor or array image, mapped to 0…255; default `[0, 1]`. */
  readonly imageRange?: readonly [number, number];
  /** Draw the image in grayscale so the heatmap colours stand out; default `false`. */
  readonly grayscaleImage?: boolean;
}

function isRgbaImage(source: ImageSource): source is RgbaImage {
  return !(source instanceof tf.Tensor) && !('shape' in source) && 'width' in source;
}

/** Converts an image source to opaque RGBA bytes. */
function imageToRgba(
  source: ImageSource,
  sample: number | undefined,
  range: readonly [number, number],
): RgbaImage {
  if (isRgbaImage(source)) {
    assertRgbaImage(source);
    return source;
  }
  const { data, shape } = readShaped(source);
  const { height, width, channels, offset } = sampleLayout(shape, sample, 'image');
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new HeatmapInputError(
      `An image needs 1, 3 or 4 channels, but its shape [${shape.join(', ')}] has ${channels}.`,
    );
  }
  const [lo, hi] = range;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi !== lo)) {
    throw new HeatmapInputError(
      `imageRange must be two different finite numbers, got [${lo}, ${hi}].`,
    );
  }
  const toByte = (v: number) => ((v - lo) / (hi - lo)) * 255;
  const out = new Uint8ClampedArray(4 * width * height);
  for (let p = 0; p < width * height; p++) {
    const at = offset + p * channels;
    for (let c = 0; c < 3; c++) out[4 * p + c] = toByte(data[at + (channels === 1 ? 0 : c)]);
    out[4 * p + 3] = 255;
  }
  return { data: out, width, height };
}

/**
 * Blends a heatmap of `relevance` over `image` (same height and width): each pixel is
 * `(1 − opacity) · image + opacity · heatmap colour`, or the image alone where |R| is not above
 * `threshold` × the colour-scale bound. The result is upscaled like {@link heatmap} when asked.
 *
 * @throws {@link HeatmapInputError} when the image and relevance sizes differ or an option is out
 *   of range.
 */
export function overlayHeatmap(
  image: ImageSource,
  relevance: RelevanceSource,
  options: OverlayOptions = {},
): Heatmap {
  const opacity = options.opacity ?? 0.5;
  const threshold = options.threshold ?? 0;
  if (!(opacity >= 0 && opacity <= 1)) {
    throw new HeatmapInputError(`opacity must be in [0, 1], got ${opacity}.`);
  }
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new HeatmapInputError(
      `threshold is a fraction of the colour-scale bound and must be in [0, 1], got ${threshold}.`,
    );
  }
  const colormap = getColormap(options.colormap ?? 'bwr');
  const base = imageToRgba(image, options.sample, options.imageRange ?? [0, 1]);
  const map = reduceChannels(relevance, options);
  if (map.width !== base.width || map.height !== base.height) {
    throw new HeatmapInputError(
      `The image is ${base.height}×${base.width} but the relevance is ${map.height}×${map.width} ` +
        `(height×width). Overlay relevance on the image it explains, at the model's input size.`,
    );
  }
  const normalized = normalizeFor(map, { ...options, colormap });
  const colors = colorize(normalized, colormap);
  const cut = threshold * Math.max(Math.abs(normalized.low), Math.abs(normalized.high));
  const data = new Uint8ClampedArray(base.data.length);
  for (let p = 0; p < map.values.length; p++) {
    let r = base.data[4 * p];
    let g = base.data[4 * p + 1];
    let b = base.data[4 * p + 2];
    if (options.grayscaleImage) r = g = b = 0.299 * r + 0.587 * g + 0.114 * b;
    const shown = threshold === 0 || Math.abs(map.values[p]) > cut;
    const alpha = shown ? opacity : 0;
    data[4 * p] = (1 - alpha) * r + alpha * colors.data[4 * p];
    data[4 * p + 1] = (1 - alpha) * g + alpha * colors.data[4 * p + 1];
    data[4 * p + 2] = (1 - alpha) * b + alpha * colors.data[4 * p + 2];
    data[4 * p + 3] = 255;
  }
  const factor = upscaleFactor(base.width, base.height, options);
  const result = upscaleNearest({ data, width: base.width, height: base.height }, factor);
  return { ...result, low: normalized.low, high: normalized.high, colormap: colormap.name };
}
