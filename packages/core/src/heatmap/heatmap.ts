/**
 * The one-call heatmap: relevance in, coloured RGBA image out.
 */
import { getColormap, type ColormapChoice } from './colormaps';
import { HeatmapInputError } from './errors';
import { checkImageSize, largestUpscale } from './image-size';
import { normalizeRelevance, type NormalizedMap, type Normalization } from './normalize';
import { reduceChannels, type ReduceOptions, type RelevanceSource } from './relevance-map';
import { colorize, type RgbaImage } from './rgba';
import { upscaleFactorFor, upscaleNearest } from './upscale';

/** Options of {@link heatmap}. */
export interface HeatmapOptions extends ReduceOptions {
  /** Colormap name, CMSL source or compiled colormap; default `'bwr'`. */
  readonly colormap?: ColormapChoice;
  /** Normalisation mode; default `'symmetric'` (zero ↦ the colormap's centre). */
  readonly normalization?: Normalization;
  /** Percentile of |R| for `'percentile'` normalisation; default 99.5. */
  readonly percentile?: number;
  /** Explicit symmetric bound, e.g. a shared scale from `sharedSymmetricBound`. */
  readonly bound?: number;
  /** Integer nearest-neighbour upscale factor; default 1. */
  readonly upscale?: number;
  /** Alternatively: upscale by the smallest integer factor making the longer side ≥ this. */
  readonly minSize?: number;
}

/** A coloured heatmap: RGBA pixels plus the relevance values at the ends of its colour scale. */
export interface Heatmap extends RgbaImage {
  /** Relevance drawn with the colormap's first colour. */
  readonly low: number;
  /** Relevance drawn with the colormap's last colour. */
  readonly high: number;
  /** Name of the colormap used. */
  readonly colormap: string;
}

/**
 * Resolves the `upscale` / `minSize` options to one integer factor.
 * @throws HeatmapInputError for both options at once, a factor that is not an integer ≥ 1 or a
 *   `minSize` that is not a positive number; HeatmapSizeError when the upscaled image would exceed
 *   `MAX_HEATMAP_PIXELS`.
 */
export function upscaleFactor(
  width: number,
  height: number,
  options: { readonly upscale?: number; readonly minSize?: number },
): number {
  if (options.upscale !== undefined && options.minSize !== undefined) {
    throw new HeatmapInputError('Pass either upscale or minSize, not both.');
  }
  if (options.minSize !== undefined) {
    if (!(options.minSize > 0 && Number.isFinite(options.minSize))) {
      throw new HeatmapInputError(`minSize must be a positive number, got ${options.minSize}.`);
    }
    const factor = upscaleFactorFor(width, height, options.minSize);
    checkImageSize(
      width * factor,
      height * factor,
      `the ${width}×${height} heatmap upscaled to minSize ${options.minSize}`,
      `Use a minSize ≤ ${largestUpscale(width, height) * Math.max(width, height)}.`,
    );
    return factor;
  }
  const factor = options.upscale ?? 1;
  if (!Number.isInteger(factor) || factor < 1) {
    throw new HeatmapInputError(`upscale must be an integer ≥ 1, got ${factor}.`);
  }
  checkImageSize(
    width * factor,
    height * factor,
    `the ${width}×${height} heatmap upscaled ${factor}×`,
    `Use an upscale factor ≤ ${largestUpscale(width, height)}.`,
  );
  return factor;
}

/**
 * Normalises a relevance source for a colormap: reduction, then the zero-aligned or min-max
 * scale, aligned to the colormap's kind (signed maps put zero at the centre).
 */
export function normalizeFor(source: RelevanceSource, options: HeatmapOptions = {}): NormalizedMap {
  const colormap = getColormap(options.colormap ?? 'bwr');
  return normalizeRelevance(reduceChannels(source, options), {
    normalization: options.normalization,
    percentile: options.percentile,
    bound: options.bound,
    signed: colormap.signed,
  });
}

/**
 * Draws relevance as a heatmap: reduces the channels (default `'sum'`), normalises (default
 * symmetric abs-max, so relevance 0 gets the colormap's centre colour), colours it (default
 * `'bwr'`: negative blue, zero white, positive red) and optionally upscales it.
 *
 * @example
 * ```ts
 * const image = heatmap(explanation.relevance, { colormap: 'seismic', minSize: 224 });
 * await writePng('relevance.png', image);
 * ```
 */
export function heatmap(source: RelevanceSource, options: HeatmapOptions = {}): Heatmap {
  const colormap = getColormap(options.colormap ?? 'bwr');
  const normalized = normalizeFor(source, { ...options, colormap });
  const factor = upscaleFactor(normalized.width, normalized.height, options);
  const image = upscaleNearest(colorize(normalized, colormap), factor);
  return { ...image, low: normalized.low, high: normalized.high, colormap: colormap.name };
}
