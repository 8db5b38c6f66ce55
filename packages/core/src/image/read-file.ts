/**
 * Reading an image file without trusting it: only a regular file is read (a FIFO would block
 * forever, a device never ends), and only up to the size an image within the pixel limit can have.
 */
import * as fs from 'fs';
import { ImageFileError } from '../errors';
import { checkedMaxMegapixels } from './decode';

/**
 * Largest file worth reading for `maxMegapixels`: 16-bit RGBA PNG stores 8 bytes per pixel, plus
 * filter bytes, chunk overhead and metadata.
 */
function maxFileBytes(maxMegapixels: number): number {
  return Math.ceil(maxMegapixels * 1e6 * 8 * 1.01) + 16 * 1024 * 1024;
}

/**
 * The bytes of the image file at `path`.
 *
 * @throws {@link ImageFileError} for a missing file, a directory, anything that is not a regular
 *   file (FIFO, device, socket), a file too large for `maxMegapixels`, or a read error.
 */
export function readImageFileBytes(path: string, maxMegapixelsOption?: number): Uint8Array {
  const maxMegapixels = checkedMaxMegapixels(maxMegapixelsOption);
  let fd: number;
  try {
    // Non-blocking, so that opening a FIFO returns at once and fstat below refuses it.
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (cause) {
    throw openError(path, cause);
  }
  try {
    const stats = fs.fstatSync(fd);
    if (stats.isDirectory()) {
      throw new ImageFileError(
        path,
        'The path is a directory',
        'Pass the path of a PNG or JPEG file.',
      );
    }
    if (!stats.isFile()) {
      throw new ImageFileError(
        path,
        'The path is not a regular file (a FIFO, device or socket)',
        'Pass the path of a PNG or JPEG file.',
      );
    }
    const limit = maxFileBytes(maxMegapixels);
    if (stats.size > limit) {
      throw new ImageFileError(
        path,
        `The file has ${stats.size} bytes, more than an image of ${maxMegapixels} megapixels can take (${limit})`,
        'Shrink the image first, or, if you trust the file, raise the limit with { maxMegapixels: … }.',
      );
    }
    const bytes = new Uint8Array(stats.size);
    let filled = 0;
    while (filled < bytes.length) {
      const read = fs.readSync(fd, bytes, filled, bytes.length - filled, filled);
      if (read === 0) break; // the file shrank: decoding reports the truncation
      filled += read;
    }
    return bytes.subarray(0, filled);
  } catch (cause) {
    if (cause instanceof ImageFileError) throw cause;
    throw openError(path, cause);
  } finally {
    fs.closeSync(fd);
  }
}

function openError(path: string, cause: unknown): ImageFileError {
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new ImageFileError(
      path,
      'The image file does not exist',
      `Check the path (relative paths start at the current working directory: ${process.cwd()}).`,
    );
  }
  if (code === 'EISDIR') {
    return new ImageFileError(
      path,
      'The path is a directory',
      'Pass the path of a PNG or JPEG file.',
    );
  }
  return new ImageFileError(
    path,
    `The image file cannot be read (${code ?? String(cause)})`,
    'Check the file permissions.',
  );
}
