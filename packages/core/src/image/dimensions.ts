/**
 * Image width and height read from the file header, before any pixel is decoded: a 141-byte PNG can
 * declare 65535×65535 pixels, and decoders allocate what the header says.
 */
import type { ImageFormat } from './format';

/** Width and height declared by an image header. */
export interface ImageDimensions {
  readonly width: number;
  readonly height: number;
}

const PNG_IHDR_END = 24; // 8-byte signature, chunk length, "IHDR", width, height

function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 8) | bytes[at + 1];
}

function u32(bytes: Uint8Array, at: number): number {
  return bytes[at] * 2 ** 24 + ((bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]);
}

/** Size from a PNG's IHDR chunk, which the format requires to come first. */
function pngDimensions(bytes: Uint8Array): ImageDimensions | undefined {
  const isIhdr =
    bytes.length >= PNG_IHDR_END &&
    String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]) === 'IHDR';
  return isIhdr ? { width: u32(bytes, 16), height: u32(bytes, 20) } : undefined;
}

/** Start-of-frame markers (SOF0–SOF15 except DHT C4, JPG C8 and DAC CC) carry the frame size. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Size from a JPEG's start-of-frame segment, walking the segments before it. */
function jpegDimensions(bytes: Uint8Array): ImageDimensions | undefined {
  let offset = 2; // after SOI
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1];
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      offset += 2; // standalone marker without a length
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // scan data or end before any frame
    const length = u16(bytes, offset + 2);
    if (isStartOfFrame(marker)) {
      if (offset + 9 > bytes.length) return undefined;
      return { height: u16(bytes, offset + 5), width: u16(bytes, offset + 7) };
    }
    if (length < 2) return undefined;
    offset += 2 + length;
  }
  return undefined;
}

/**
 * The width and height an image header declares, or `undefined` when the header is missing or
 * cut short (the decoder then reports the damage).
 */
export function readImageDimensions(
  bytes: Uint8Array,
  format: ImageFormat,
): ImageDimensions | undefined {
  return format === 'png' ? pngDimensions(bytes) : jpegDimensions(bytes);
}
