import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { DatasetFormatError } from './errors';

/** A decoded image: RGBA bytes, row-major. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

/** File extensions the image-folder dataset reads. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg'];

/**
 * Decode a PNG or JPEG file to RGBA bytes.
 * @throws DatasetFormatError when the file is not a decodable PNG/JPEG.
 */
export function decodeImageFile(file: string): RgbaImage {
  const ext = path.extname(file).toLowerCase();
  const bytes = fs.readFileSync(file);
  try {
    if (ext === '.png') {
      const png = PNG.sync.read(bytes);
      return { width: png.width, height: png.height, rgba: new Uint8Array(png.data) };
    }
    if (ext === '.jpg' || ext === '.jpeg') {
      const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
      return { width: decoded.width, height: decoded.height, rgba: decoded.data };
    }
  } catch (error) {
    throw new DatasetFormatError(
      file,
      `Cannot decode the image (${error instanceof Error ? error.message : String(error)})`,
      'Re-save it as PNG or baseline JPEG, or remove it from the folder.',
    );
  }
  throw new DatasetFormatError(
    file,
    `Unsupported image extension "${ext}"`,
    `Use one of ${IMAGE_EXTENSIONS.join(', ')}.`,
  );
}

/**
 * Resample an RGBA image to `height × width` (bilinear, pixel centres aligned) and convert it to
 * `channels` (1 = luminance, 3 = RGB) float values in [0, 1], written into `out` at `offset`.
 */
export function resampleToFloats(
  image: RgbaImage,
  height: number,
  width: number,
  channels: 1 | 3,
  out: Float32Array,
  offset: number,
): void {
  const sample = (x: number, y: number, c: number): number =>
    image.rgba[(y * image.width + x) * 4 + c];
  for (let oy = 0; oy < height; oy++) {
    const sy = Math.min(image.height - 1, Math.max(0, ((oy + 0.5) * image.height) / height - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(image.height - 1, y0 + 1);
    const fy = sy - y0;
    for (let ox = 0; ox < width; ox++) {
      const sx = Math.min(image.width - 1, Math.max(0, ((ox + 0.5) * image.width) / width - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(image.width - 1, x0 + 1);
      const fx = sx - x0;
      const rgb = [0, 1, 2].map((c) => {
        const top = sample(x0, y0, c) * (1 - fx) + sample(x1, y0, c) * fx;
        const bottom = sample(x0, y1, c) * (1 - fx) + sample(x1, y1, c) * fx;
        return (top * (1 - fy) + bottom * fy) / 255;
      });
      const at = offset + (oy * width + ox) * channels;
      if (channels === 1) {
        out[at] = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
      } else {
        out[at] = rgb[0];
        out[at + 1] = rgb[1];
        out[at + 2] = rgb[2];
      }
    }
  }
}
