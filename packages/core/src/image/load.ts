/**
 * Loading an image file as a model input in one line.
 */
import { promises as fs } from 'fs';
import type * as tf from '@tensorflow/tfjs';
import { ImageFileError } from '../errors';
import { decodeImage, type DecodeOptions } from './decode';
import { imageToTensor, type ImageTensorOptions } from './to-tensor';

/** Options of {@link loadImage}: the target tensor, plus decoding limits. */
export interface LoadImageOptions
  extends ImageTensorOptions, Pick<DecodeOptions, 'maxMegapixels' | 'applyExifOrientation'> {}

async function readFileBytes(path: string): Promise<Uint8Array> {
  try {
    return await fs.readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ImageFileError(
        path,
        'The image file does not exist',
        'Check the path (relative paths start at the current working directory: ' +
          `${process.cwd()}).`,
      );
    }
    if (code === 'EISDIR') {
      throw new ImageFileError(
        path,
        'The path is a directory',
        'Pass the path of a PNG or JPEG file.',
      );
    }
    throw new ImageFileError(
      path,
      `The image file cannot be read (${code ?? String(cause)})`,
      'Check the file permissions.',
    );
  }
}

/**
 * Loads a PNG or JPEG file as a `[1, H, W, C]` float32 tensor ready for a model: decoded (format
 * by magic bytes, JPEGs turned upright by their EXIF orientation), channels converted to the model's count, resized to its input size and scaled
 * to `scale` (default `[0, 1]`). The caller owns the tensor.
 *
 * @example
 * ```ts
 * const x = await loadImage('my-digit.png', { model });            // [1, 28, 28, 1] in [0, 1]
 * const y = await loadImage('cat.jpg', { shape: [224, 224, 3], scale: [-1, 1] });
 * ```
 * @throws {@link ImageFileError} for a missing or unreadable file, an unknown format, truncated or
 *   corrupt data, or a model whose input is not an image.
 */
export async function loadImage(
  path: string,
  options: LoadImageOptions = {},
): Promise<tf.Tensor4D> {
  const bytes = await readFileBytes(path);
  const image = decodeImage(bytes, {
    source: path,
    maxMegapixels: options.maxMegapixels,
    applyExifOrientation: options.applyExifOrientation,
  });
  return imageToTensor(image, options, path);
}
