import {
  decodeImage,
  ImageFileError,
  imagePixels,
  readImageFileBytes,
  type DecodedImage,
} from '@rlrp/core';
import { DatasetFormatError } from './errors';

/** File extensions the image-folder dataset reads (the format itself is told by content). */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg'];

/** Runs `work` on `file`, turning @rlrp/core's ImageFileError into a DatasetFormatError naming it. */
function asDatasetError<T>(file: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof ImageFileError) {
      throw new DatasetFormatError(
        file,
        error.problem,
        `${error.hint} Or remove the file from the folder.`,
      );
    }
    throw error;
  }
}

/**
 * Decodes a PNG or JPEG file with @rlrp/core's reader and decoder: only a regular file is read, its
 * header size is checked before decoding, the format is detected from the bytes, corrupt or
 * truncated data is rejected, and JPEGs are turned upright by their EXIF orientation.
 * @throws DatasetFormatError naming the file when it cannot be read or decoded.
 */
export function decodeImageFile(file: string): DecodedImage {
  return asDatasetError(file, () => decodeImage(readImageFileBytes(file), { source: file }));
}

/**
 * A decoded image resampled to `height × width` (bilinear, half-pixel centres) with `channels`
 * channels (1 = BT.601 luma, 3 = RGB), scaled to [0, 1].
 * @param onStretched - called when the image is stretched to another aspect ratio.
 * @throws DatasetFormatError naming the file for a size or channel count that cannot be made.
 */
export function imageFloats(
  image: DecodedImage,
  height: number,
  width: number,
  channels: 1 | 3,
  file: string,
  onStretched: () => void = () => {},
): Float32Array {
  return asDatasetError(
    file,
    () =>
      imagePixels(image, { shape: [height, width, channels], onWarning: onStretched }, file).data,
  );
}
