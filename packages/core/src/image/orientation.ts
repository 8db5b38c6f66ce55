/**
 * EXIF orientation of JPEG files: cameras and phones store pixels as the sensor saw them and
 * record in the EXIF tag 0x0112 how to turn them for display. Without applying it a portrait photo
 * would reach the model lying on its side.
 */

/** EXIF orientation value 1…8 (1 = as stored). */
export type ExifOrientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

const ORIENTATION_TAG = 0x0112;

/**
 * Reads the EXIF orientation of JPEG bytes from the APP1 "Exif" segment (TIFF IFD0). Returns 1
 * when there is none or it cannot be read: a damaged EXIF block must not prevent loading pixels.
 */
export function readJpegOrientation(bytes: Uint8Array): ExifOrientation {
  let offset = 2; // after SOI
  while (offset + 4 <= bytes.length && bytes[offset] === 0xff) {
    const marker = bytes[offset + 1];
    const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
    if (marker === 0xda || length < 2) break; // start of scan: no more metadata segments
    const segment = bytes.subarray(offset + 4, offset + 2 + length);
    const isExif =
      marker === 0xe1 &&
      segment.length > 14 &&
      String.fromCharCode(...segment.subarray(0, 4)) === 'Exif' &&
      segment[4] === 0 &&
      segment[5] === 0;
    if (isExif) return orientationFromTiff(segment.subarray(6));
    offset += 2 + length;
  }
  return 1;
}

function orientationFromTiff(tiff: Uint8Array): ExifOrientation {
  const little = tiff[0] === 0x49 && tiff[1] === 0x49; // "II" Intel order, else "MM" Motorola
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return 1;
  const u16 = (at: number) =>
    at + 2 > tiff.length
      ? -1
      : little
        ? tiff[at] | (tiff[at + 1] << 8)
        : (tiff[at] << 8) | tiff[at + 1];
  const u32 = (at: number) =>
    at + 4 > tiff.length
      ? -1
      : little
        ? (tiff[at] | (tiff[at + 1] << 8) | (tiff[at + 2] << 16)) + tiff[at + 3] * 2 ** 24
        : tiff[at] * 2 ** 24 + ((tiff[at + 1] << 16) | (tiff[at + 2] << 8) | tiff[at + 3]);
  const ifd = u32(4);
  const entries = ifd < 0 ? -1 : u16(ifd);
  for (let k = 0; k < entries; k++) {
    const entry = ifd + 2 + 12 * k;
    if (u16(entry) === ORIENTATION_TAG) {
      const value = u16(entry + 8);
      return value >= 1 && value <= 8 ? (value as ExifOrientation) : 1;
    }
  }
  return 1;
}

/** RGBA pixels with their size. */
export interface RgbaPixels {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/**
 * Turns stored RGBA pixels upright according to an EXIF orientation (mirror and/or rotate by a
 * multiple of 90°; orientations 5–8 swap width and height).
 */
export function applyOrientation(pixels: RgbaPixels, orientation: ExifOrientation): RgbaPixels {
  if (orientation === 1) return pixels;
  const { width: w, height: h } = pixels;
  const swaps = orientation >= 5;
  const width = swaps ? h : w;
  const height = swaps ? w : h;
  // For every displayed pixel (x, y), the stored pixel it shows.
  const sourceOf: Record<
    Exclude<ExifOrientation, 1>,
    (x: number, y: number) => [number, number]
  > = {
    2: (x, y) => [w - 1 - x, y], // mirrored left–right
    3: (x, y) => [w - 1 - x, h - 1 - y], // rotated 180°
    4: (x, y) => [x, h - 1 - y], // mirrored top–bottom
    5: (x, y) => [y, x], // transposed
    6: (x, y) => [y, h - 1 - x], // needs a 90° clockwise turn
    7: (x, y) => [w - 1 - y, h - 1 - x], // transversed
    8: (x, y) => [w - 1 - y, x], // needs a 90° counter-clockwise turn
  };
  const map = sourceOf[orientation];
  const src = new Uint32Array(new Uint8Array(pixels.data).buffer);
  const out = new Uint8Array(4 * width * height);
  const dst = new Uint32Array(out.buffer);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sx, sy] = map(x, y);
      dst[y * width + x] = src[sy * w + sx];
    }
  }
  return { data: out, width, height };
}
