/**
 * The colour → grayscale step: a model trained on gray images (MNIST) sees one luminance channel,
 * and this is the one place that computes it.
 */
import type { DecodedImage } from './decode';
import type { FloatPixels } from './resize';

/** ITU-R BT.601 luma weights: the usual RGB → gray conversion of image libraries. */
export const LUMA_WEIGHTS: readonly [red: number, green: number, blue: number] = Object.freeze([
  0.299, 0.587, 0.114,
]) as readonly [number, number, number];

/**
 * The luminance of a decoded image as one float channel (0…255, BT.601 luma
 * `0.299 R + 0.587 G + 0.114 B`; alpha is ignored). A grayscale image keeps its exact values.
 */
export function toGrayscale(image: DecodedImage): FloatPixels {
  const count = image.width * image.height;
  const data = new Float32Array(count);
  const rgba = image.data;
  const [r, g, b] = LUMA_WEIGHTS;
  for (let p = 0; p < count; p++) {
    data[p] = image.grayscale
      ? rgba[4 * p]
      : r * rgba[4 * p] + g * rgba[4 * p + 1] + b * rgba[4 * p + 2];
  }
  return { data, height: image.height, width: image.width, channels: 1 };
}
