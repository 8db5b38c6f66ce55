/**
 * Decoding PNG and JPEG bytes to RGBA pixels, with pngjs and jpeg-js.
 */
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { ImageFileError, ImageTooLargeError, OptionError } from '../errors';
import { readImageDimensions } from './dimensions';
import { detectImageFormat, detectUnsupportedFormat, type ImageFormat } from './format';
import { applyOrientation, readJpegOrientation, type ExifOrientation } from './orientation';

/** A decoded image: 8-bit RGBA pixels, row-major. */
export interface DecodedImage {
  /** `4 · width · height` bytes: R, G, B, A per pixel. */
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** The file format, detected from the magic bytes. */
  readonly format: ImageFormat;
  /** Whether every pixel has R = G = B (a grayscale picture, whatever its encoding). */
  readonly grayscale: boolean;
  /** Whether some pixel is not fully opaque. */
  readonly hasAlpha: boolean;
  /** The EXIF orientation found in a JPEG (1 = none); the pixels are already turned upright. */
  readonly orientation: ExifOrientation;
}

/** Options of {@link decodeImage}. */
export interface DecodeOptions {
  /** Name of the data in error messages (the file path); default `'<buffer>'`. */
  readonly source?: string;
  /**
   * Largest image accepted, in megapixels; default 100. Checked against the size in the PNG or JPEG
   * header before decoding, so a decompression bomb is refused without allocating its pixels.
   */
  readonly maxMegapixels?: number;
  /** Turn JPEG pixels upright by their EXIF orientation; default `true`. */
  readonly applyExifOrientation?: boolean;
}

/**
 * `maxMegapixels` (default {@link DEFAULT_MAX_MEGAPIXELS}), checked before anything is read or
 * decoded: NaN or Infinity would switch every size limit off.
 *
 * @throws {@link OptionError} for a value that is not a positive finite number.
 */
export function checkedMaxMegapixels(value: number | undefined): number {
  const maxMegapixels = value ?? DEFAULT_MAX_MEGAPIXELS;
  if (typeof maxMegapixels !== 'number' || !(maxMegapixels > 0) || maxMegapixels === Infinity) {
    throw new OptionError('maxMegapixels', maxMegapixels, 'a positive finite number of megapixels');
  }
  return maxMegapixels;
}

/** Default {@link DecodeOptions.maxMegapixels}. */
export const DEFAULT_MAX_MEGAPIXELS = 100;

/** Pixels decoded by one of the decoders, before analysis. */
interface RawPixels {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

function decodePng(bytes: Uint8Array, source: string): RawPixels {
  try {
    // pngjs checks every chunk's CRC and scales 16-bit and palette images to 8-bit RGBA.
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { data: new Uint8Array(png.data), width: png.width, height: png.height };
  } catch (cause) {
    throw new ImageFileError(
      source,
      `The PNG data is truncated or corrupt (${describe(cause)})`,
      'Re-export or re-download the image; a partially written or damaged file cannot be decoded.',
    );
  }
}

function decodeJpeg(bytes: Uint8Array, source: string, maxMegapixels: number): RawPixels {
  try {
    // Strict decoding: jpeg-js would otherwise return a partly grey image for a truncated file.
    const image = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      tolerantDecoding: false,
      maxResolutionInMP: maxMegapixels,
      maxMemoryUsageInMB: Math.max(512, maxMegapixels * 8),
    });
    return image;
  } catch (cause) {
    throw new ImageFileError(
      source,
      `The JPEG data is truncated, corrupt or too large (${describe(cause)})`,
      `Re-export the image as a baseline or progressive JPEG of at most ${maxMegapixels} megapixels, or as PNG.`,
    );
  }
}

function analyse(
  pixels: RawPixels,
  format: ImageFormat,
  orientation: ExifOrientation,
): DecodedImage {
  const { data } = pixels;
  let grayscale = true;
  let hasAlpha = false;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] !== data[i + 1] || data[i] !== data[i + 2]) grayscale = false;
    if (data[i + 3] !== 255) hasAlpha = true;
    if (!grayscale && hasAlpha) break;
  }
  return {
    data,
    width: pixels.width,
    height: pixels.height,
    format,
    grayscale,
    hasAlpha,
    orientation,
  };
}

/**
 * Decodes PNG or JPEG bytes (the format is detected from the magic bytes, not a file name) to 8-bit
 * RGBA. Grayscale, palette, 16-bit and alpha PNGs and grayscale or colour JPEGs are supported;
 * JPEGs are turned upright by their EXIF orientation.
 *
 * @throws {@link ImageFileError} for an unknown or unsupported format and for truncated or
 *   corrupt data; {@link ImageTooLargeError} when the header declares more than `maxMegapixels`.
 * @throws {@link OptionError} for a `maxMegapixels` that is not a positive number.
 */
export function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): DecodedImage {
  const source = options.source ?? '<buffer>';
  const maxMegapixels = checkedMaxMegapixels(options.maxMegapixels);
  const format = detectImageFormat(bytes);
  if (format === undefined) {
    const other = detectUnsupportedFormat(bytes);
    const empty = bytes.length === 0;
    throw new ImageFileError(
      source,
      empty
        ? 'The image data is empty'
        : other
          ? `${other} images are not supported`
          : 'The data is not a PNG or JPEG image (its first bytes are no known image signature)',
      'Convert the image to PNG or JPEG (the format is recognised by content, not by file extension).',
    );
  }
  const declared = readImageDimensions(bytes, format);
  if (declared === undefined && format === 'png') {
    // PNG requires IHDR first; without it the decoder's allocation could not be bounded here.
    throw new ImageFileError(
      source,
      'The PNG data is truncated or corrupt (its IHDR header chunk is missing or cut off)',
      'Re-export or re-download the image; a partially written or damaged file cannot be decoded.',
    );
  }
  if (declared !== undefined && declared.width * declared.height > maxMegapixels * 1e6) {
    throw new ImageTooLargeError(source, declared.width, declared.height, maxMegapixels);
  }
  if (format === 'png') return analyse(decodePng(bytes, source), format, 1);
  const stored = decodeJpeg(bytes, source, maxMegapixels);
  const orientation = options.applyExifOrientation === false ? 1 : readJpegOrientation(bytes);
  return analyse(applyOrientation(stored, orientation), format, orientation);
}
