/**
 * Loading an image file as a model input in one line.
 */
import type * as tf from '@tensorflow/tfjs';
import { decodeImage, type DecodeOptions } from './decode';
import { readImageFileBytes } from './read-file';
import { imageToTensor, type ImageTensorOptions } from './to-tensor';

/**
 * Options of {@link loadImage}: the target tensor (size, fit, channels, invert, scale), plus
 * decoding options. `maxMegapixels` limits both the decoded image and the output.
 */
export interface LoadImageOptions
  extends ImageTensorOptions, Pick<DecodeOptions, 'applyExifOrientation'> {}

/**
 * Loads a PNG or JPEG file as a `[1, H, W, C]` float32 tensor ready for a model: decoded (format
 * by magic bytes, size checked in the header against `maxMegapixels` first, JPEGs turned upright
 * by their EXIF orientation), channels converted to the model's count (colour → gray by BT.601
 * luma), fitted to its input size (`fit`: `'fill'` stretches and warns when that distorts,
 * `'contain'` pads, `'cover'` crops), optionally inverted, and scaled to `scale` (default
 * `[0, 1]`). The caller owns the tensor.
 *
 * @example
 * ```ts
 * const x = await loadImage('my-digit.png', { model });            // [1, 28, 28, 1] in [0, 1]
 * const y = await loadImage('cat.jpg', { shape: [224, 224, 3], scale: [-1, 1], fit: 'cover' });
 * // A digit drawn dark on paper, for a model trained on white-on-black MNIST:
 * const z = await loadImage('paper-digit.jpg', { model, invert: true, fit: 'contain' });
 * ```
 * @throws {@link ImageFileError} for a missing or unreadable file, a directory, FIFO or device, an
 *   unknown format, truncated or corrupt data, or a model whose input is not an image;
 *   {@link ImageTooLargeError} beyond `maxMegapixels`; {@link OptionError} for a bad option.
 */
export async function loadImage(
  path: string,
  options: LoadImageOptions = {},
): Promise<tf.Tensor4D> {
  const bytes = readImageFileBytes(path, options.maxMegapixels);
  const image = decodeImage(bytes, {
    source: path,
    maxMegapixels: options.maxMegapixels,
    applyExifOrientation: options.applyExifOrientation,
  });
  return imageToTensor(image, options, path);
}
