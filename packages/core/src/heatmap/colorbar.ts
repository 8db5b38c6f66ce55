/**
 * A colour bar: the colormap drawn as a strip, to print next to heatmaps with their `low`/`high`.
 */
import { getColormap, type ColormapChoice } from './colormaps';
import { COLORMAP_SIZE } from './colormap';
import { HeatmapInputError } from './errors';
import { checkImageSize } from './image-size';
import type { RgbaImage } from './rgba';

/** Options of {@link colorbar}. */
export interface ColorbarOptions {
  /** `'horizontal'` (default): value 0 on the left; `'vertical'`: value 1 on top. */
  readonly orientation?: 'horizontal' | 'vertical';
  /** Length along the value axis in pixels; default 256 (one pixel per colour). */
  readonly length?: number;
  /** Thickness across the value axis in pixels; default 16. */
  readonly thickness?: number;
}

/** Draws a colormap as an opaque strip from value 0 to value 1. */
export function colorbar(
  colormap: ColormapChoice = 'bwr',
  options: ColorbarOptions = {},
): RgbaImage {
  const { lut } = getColormap(colormap);
  const length = options.length ?? COLORMAP_SIZE;
  const thickness = options.thickness ?? 16;
  if (!Number.isInteger(length) || length < 2 || !Number.isInteger(thickness) || thickness < 1) {
    throw new HeatmapInputError(
      `A colour bar needs an integer length ≥ 2 and thickness ≥ 1, got ${length} and ${thickness}.`,
    );
  }
  const vertical = options.orientation === 'vertical';
  const width = vertical ? thickness : length;
  const height = vertical ? length : thickness;
  checkImageSize(width, height, 'the colour bar', 'Use a smaller length or thickness.');
  const data = new Uint8ClampedArray(4 * width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Position k along the bar (0 = value 0) picks the nearest of the 256 table entries.
      const k = vertical ? length - 1 - y : x;
      const entry = Math.round((k / (length - 1)) * (COLORMAP_SIZE - 1));
      data.set([lut[3 * entry], lut[3 * entry + 1], lut[3 * entry + 2], 255], 4 * (y * width + x));
    }
  }
  return { data, width, height };
}
