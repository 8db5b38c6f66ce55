/**
 * Image format detection by magic bytes: a file's name says nothing reliable about its content.
 */

/** Formats the image loader decodes. */
export type ImageFormat = 'png' | 'jpeg';

interface Signature {
  readonly format: string;
  readonly bytes: readonly number[];
  readonly offset?: number;
}

const SUPPORTED: readonly (Signature & { format: ImageFormat })[] = [
  { format: 'png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { format: 'jpeg', bytes: [0xff, 0xd8, 0xff] },
];

// Recognised only to name them in the error message.
const UNSUPPORTED: readonly Signature[] = [
  { format: 'GIF', bytes: [0x47, 0x49, 0x46, 0x38] },
  { format: 'WebP', bytes: [0x57, 0x45, 0x42, 0x50], offset: 8 },
  { format: 'BMP', bytes: [0x42, 0x4d] },
  { format: 'TIFF', bytes: [0x49, 0x49, 0x2a, 0x00] },
  { format: 'TIFF', bytes: [0x4d, 0x4d, 0x00, 0x2a] },
];

function matches(bytes: Uint8Array, signature: Signature): boolean {
  const offset = signature.offset ?? 0;
  return (
    bytes.length >= offset + signature.bytes.length &&
    signature.bytes.every((byte, i) => bytes[offset + i] === byte)
  );
}

/** The decodable format of `bytes` by its magic number, or `undefined`. */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  return SUPPORTED.find((signature) => matches(bytes, signature))?.format;
}

/** Name of a recognised but unsupported image format (GIF, WebP, BMP, TIFF), or `undefined`. */
export function detectUnsupportedFormat(bytes: Uint8Array): string | undefined {
  return UNSUPPORTED.find((signature) => matches(bytes, signature))?.format;
}
