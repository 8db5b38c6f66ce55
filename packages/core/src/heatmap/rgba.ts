/**
 * RGBA pixel arrays, the common currency of heatmaps, PNG export and widgets (it is the layout of
 * the browser's `ImageData`).
 */
import { getColormap, type ColormapChoice } from './colormaps';
import { colormapIndex } from './colormap';
import { HeatmapInputError } from './errors';

/** An 8-bit RGBA image, row-major, 4 bytes per pixel (the layout of `ImageData`). */
export interface RgbaImage {
  /** `4 · width · height` bytes: R, G, B, A per pixel. */
  readonly data: Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

/** A 2-D map of colormap positions in [0, 1]. */
export interface PositionMap {
  readonly values: ArrayLike<number>;
  readonly width: number;
  readonly height: number;
}

/** Checks that an RGBA image's buffer matches its size. */
export function assertRgbaImage(image: RgbaImage): void {
  const ok =
    Number.isInteger(image.width) &&
    Number.isInteger(image.height) &&
    image.width > 0 &&
    image.height > 0 &&
    image.data.length === 4 * image.width * image.height;
  if (!ok) {
    throw new HeatmapInputError(
      `An RGBA image of ${image.width}×${image.height} needs ${4 * image.width * image.height} ` +
        `bytes but has ${image.data.length}. Build it as { data, width, height } with 4 bytes a pixel.`,
    );
  }
}

/**
 * Colours a map of positions in [0, 1] (e.g. from `normalizeRelevance`) with a colormap; every
 * pixel is opaque.
 */
export function colorize(map: PositionMap, colormap: ColormapChoice = 'bwr'): RgbaImage {
  const { lut } = getColormap(colormap);
  const pixels = map.width * map.height;
  const data = new Uint8ClampedArray(4 * pixels);
  for (let p = 0; p < pixels; p++) {
    const i = 3 * colormapIndex(map.values[p]);
    data[4 * p] = lut[i];
    data[4 * p + 1] = lut[i + 1];
    data[4 * p + 2] = lut[i + 2];
    data[4 * p + 3] = 255;
  }
  return { data, width: map.width, height: map.height };
}
