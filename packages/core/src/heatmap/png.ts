/**
 * PNG export of RGBA images with pngjs.
 */
import { promises as fs, writeFileSync } from 'fs';
import { PNG } from 'pngjs';
import { ImageFileError } from '../errors';
import { assertRgbaImage, type RgbaImage } from './rgba';

/** Encodes an RGBA image as a PNG file in memory (8-bit RGBA). */
export function encodePng(image: RgbaImage): Buffer {
  assertRgbaImage(image);
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png, { colorType: 6 });
}

function writeError(path: string, cause: unknown): ImageFileError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ImageFileError(
    path,
    `Cannot write the PNG file: ${reason}`,
    'Check that the directory exists and is writable.',
  );
}

/**
 * Writes an RGBA image to a PNG file.
 *
 * @throws {@link ImageFileError} when the file cannot be written.
 */
export async function writePng(path: string, image: RgbaImage): Promise<void> {
  const bytes = encodePng(image);
  try {
    await fs.writeFile(path, bytes);
  } catch (cause) {
    throw writeError(path, cause);
  }
}

/** Synchronous {@link writePng}. */
export function writePngSync(path: string, image: RgbaImage): void {
  const bytes = encodePng(image);
  try {
    writeFileSync(path, bytes);
  } catch (cause) {
    throw writeError(path, cause);
  }
}

/** The image as a `data:image/png;base64,…` URL, for `<img src>` in HTML and notebook output. */
export function pngDataUrl(image: RgbaImage): string {
  return `data:image/png;base64,${encodePng(image).toString('base64')}`;
}
