/**
 * Nearest-neighbour upscaling, so that tiny maps (28×28) become PNGs one can look at without the
 * viewer blurring them.
 */
import { HeatmapInputError } from './errors';
import { checkImageSize, largestUpscale } from './image-size';
import { assertRgbaImage, type RgbaImage } from './rgba';

/**
 * Upscales an RGBA image by an integer factor, each pixel becoming a `factor × factor` block.
 * @throws HeatmapInputError for a factor that is not an integer ≥ 1; HeatmapSizeError when the
 *   result would exceed `MAX_HEATMAP_PIXELS`.
 */
export function upscaleNearest(image: RgbaImage, factor: number): RgbaImage {
  assertRgbaImage(image);
  if (!Number.isInteger(factor) || factor < 1) {
    throw new HeatmapInputError(`The upscale factor must be an integer ≥ 1, got ${factor}.`);
  }
  if (factor === 1) return image;
  const width = image.width * factor;
  const height = image.height * factor;
  checkImageSize(
    width,
    height,
    `the ${image.width}×${image.height} image upscaled ${factor}×`,
    `Use an upscale factor ≤ ${largestUpscale(image.width, image.height)}.`,
  );
  const data = new Uint8ClampedArray(4 * width * height);
  // Copy one pixel as one 32-bit word; a view needs a 4-byte aligned start, so copy if unaligned.
  const bytes = image.data.byteOffset % 4 === 0 ? image.data : new Uint8ClampedArray(image.data);
  const src = new Uint32Array(bytes.buffer, bytes.byteOffset, image.width * image.height);
  const dst = new Uint32Array(data.buffer);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / factor) * image.width;
    for (let x = 0; x < width; x++) dst[y * width + x] = src[row + Math.floor(x / factor)];
  }
  return { data, width, height };
}

/** The smallest integer factor that makes the longer side of a `width × height` image ≥ `minSize`. */
export function upscaleFactorFor(width: number, height: number, minSize: number): number {
  return Math.max(1, Math.ceil(minSize / Math.max(width, height)));
}
