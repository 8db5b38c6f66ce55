/**
 * Tiling several images into one, e.g. the same sample explained by several rules.
 */
import { HeatmapInputError } from './errors';
import { checkImageSize } from './image-size';
import { assertRgbaImage, type RgbaImage } from './rgba';

/** Options of {@link tileImages}. */
export interface TileOptions {
  /** Images per row; default: all in one row. */
  readonly columns?: number;
  /** Pixels between tiles and around the grid; default 4. */
  readonly gap?: number;
  /** RGBA of the gaps; default opaque white. */
  readonly background?: readonly [number, number, number, number];
}

/**
 * Places images in a grid, row by row. Each cell is as large as the largest image; smaller images
 * sit in the top-left corner of their cell.
 */
export function tileImages(images: readonly RgbaImage[], options: TileOptions = {}): RgbaImage {
  if (images.length === 0) throw new HeatmapInputError('tileImages needs at least one image.');
  images.forEach(assertRgbaImage);
  const columns = options.columns ?? images.length;
  const gap = options.gap ?? 4;
  if (!Number.isInteger(columns) || columns < 1 || !Number.isInteger(gap) || gap < 0) {
    throw new HeatmapInputError(
      `columns must be an integer ≥ 1 and gap an integer ≥ 0, got ${columns} and ${gap}.`,
    );
  }
  const rows = Math.ceil(images.length / columns);
  const cellWidth = Math.max(...images.map((image) => image.width));
  const cellHeight = Math.max(...images.map((image) => image.height));
  const width = columns * cellWidth + (columns + 1) * gap;
  const height = rows * cellHeight + (rows + 1) * gap;
  checkImageSize(
    width,
    height,
    `the grid of ${images.length} images (${columns} columns, gap ${gap})`,
    'Tile fewer or smaller images, or use a smaller gap.',
  );
  const data = new Uint8ClampedArray(4 * width * height);
  const background = options.background ?? [255, 255, 255, 255];
  for (let p = 0; p < width * height; p++) data.set(background, 4 * p);
  images.forEach((image, n) => {
    const left = gap + (n % columns) * (cellWidth + gap);
    const top = gap + Math.floor(n / columns) * (cellHeight + gap);
    for (let y = 0; y < image.height; y++) {
      const row = image.data.subarray(4 * y * image.width, 4 * (y + 1) * image.width);
      data.set(row, 4 * ((top + y) * width + left));
    }
  });
  return { data, width, height };
}
