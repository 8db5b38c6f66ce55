/**
 * Fitting an image to a target of another aspect ratio: stretched, padded or cropped.
 */
import type { FloatPixels } from './resize';

/**
 * How an image meets a target size of another aspect ratio:
 * - `'fill'`: stretched to the target (the aspect ratio changes; a warning says so);
 * - `'contain'`: scaled to fit inside and padded with the background (nothing is lost);
 * - `'cover'`: scaled to cover the target and the overhang cropped equally on both sides.
 */
export type ImageFit = 'fill' | 'contain' | 'cover';

/** Names of every {@link ImageFit}. */
export const IMAGE_FITS: readonly ImageFit[] = Object.freeze(['fill', 'contain', 'cover']);

/** A rectangle in pixels. */
export interface PixelBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Relative difference of two aspect ratios under which a stretch is not worth a warning. */
const SAME_ASPECT_TOLERANCE = 0.01;

/** Whether stretching `width × height` to `targetWidth × targetHeight` visibly changes its shape. */
export function changesAspect(
  width: number,
  height: number,
  targetWidth: number,
  targetHeight: number,
): boolean {
  const ratio = width / height / (targetWidth / targetHeight);
  return Math.abs(ratio - 1) > SAME_ASPECT_TOLERANCE;
}

/** The centred part of a `width × height` image with the target's aspect ratio (for `'cover'`). */
export function coverCrop(
  width: number,
  height: number,
  targetWidth: number,
  targetHeight: number,
): PixelBox {
  if (width * targetHeight > height * targetWidth) {
    const cropWidth = Math.max(1, Math.round((height * targetWidth) / targetHeight));
    return { x: Math.floor((width - cropWidth) / 2), y: 0, width: cropWidth, height };
  }
  const cropHeight = Math.max(1, Math.round((width * targetHeight) / targetWidth));
  return { x: 0, y: Math.floor((height - cropHeight) / 2), width, height: cropHeight };
}

/** Where a `width × height` image lands, scaled to fit inside the target (for `'contain'`). */
export function containBox(
  width: number,
  height: number,
  targetWidth: number,
  targetHeight: number,
): PixelBox {
  const scale = Math.min(targetWidth / width, targetHeight / height);
  const innerWidth = Math.min(targetWidth, Math.max(1, Math.round(width * scale)));
  const innerHeight = Math.min(targetHeight, Math.max(1, Math.round(height * scale)));
  return {
    x: Math.floor((targetWidth - innerWidth) / 2),
    y: Math.floor((targetHeight - innerHeight) / 2),
    width: innerWidth,
    height: innerHeight,
  };
}

/** Copies the `box` part of `pixels`. */
export function cropPixels(pixels: FloatPixels, box: PixelBox): FloatPixels {
  const { channels } = pixels;
  const data = new Float32Array(box.width * box.height * channels);
  for (let y = 0; y < box.height; y++) {
    const from = ((box.y + y) * pixels.width + box.x) * channels;
    data.set(pixels.data.subarray(from, from + box.width * channels), y * box.width * channels);
  }
  return { data, height: box.height, width: box.width, channels };
}

/** `pixels` placed at `box` on a `width × height` canvas filled with `background` per channel. */
export function padPixels(
  pixels: FloatPixels,
  box: PixelBox,
  width: number,
  height: number,
  background: readonly number[],
): FloatPixels {
  const { channels } = pixels;
  const data = new Float32Array(width * height * channels);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < channels; c++) data[p * channels + c] = background[c];
  }
  for (let y = 0; y < box.height; y++) {
    const from = y * box.width * channels;
    data.set(
      pixels.data.subarray(from, from + box.width * channels),
      ((box.y + y) * width + box.x) * channels,
    );
  }
  return { data, height, width, channels };
}

/**
 * The mean colour of the outermost pixels, per channel: the padding that continues a photo's
 * paper or sky instead of adding black bars a model may read as content.
 */
export function borderMean(pixels: FloatPixels): number[] {
  const { width, height, channels } = pixels;
  const sums = new Array<number>(channels).fill(0);
  let count = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (y !== 0 && y !== height - 1 && x !== 0 && x !== width - 1) continue;
      for (let c = 0; c < channels; c++) sums[c] += pixels.data[(y * width + x) * channels + c];
      count++;
    }
  }
  return sums.map((sum) => sum / count);
}
