import * as fs from 'fs';
import * as path from 'path';
import { ImageFileError } from '../src/errors';
import {
  applyOrientation,
  decodeImage,
  detectImageFormat,
  readJpegOrientation,
  resizePixels,
} from '../src/image/index';

const fixture = (name: string) => path.join(__dirname, 'fixtures', 'images', name);
const read = (name: string) => fs.readFileSync(fixture(name));
// The fixture formulas of fixtures/images/generate-fixtures.ts.
const grayValue = (x: number, y: number) => 20 * (4 * y + x);
const rgbValue = (x: number, y: number) => [60 * x, 100 * y, 255 - 40 * (x + y)];

describe('detectImageFormat (magic bytes)', () => {
  it('recognises PNG and JPEG by content, not by name', () => {
    expect(detectImageFormat(read('gray-4x3.png'))).toBe('png');
    expect(detectImageFormat(read('rgb-8x8.jpg'))).toBe('jpeg');
    expect(detectImageFormat(read('gif-named.png'))).toBeUndefined();
    expect(detectImageFormat(new Uint8Array(0))).toBeUndefined();
  });
});

describe('decodeImage', () => {
  it('decodes a grayscale PNG to RGBA with the exact gray values', () => {
    const image = decodeImage(read('gray-4x3.png'));
    expect([image.format, image.width, image.height, image.grayscale, image.hasAlpha]).toEqual([
      'png',
      4,
      3,
      true,
      false,
    ]);
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 4; x++) {
        const i = 4 * (4 * y + x);
        expect([...image.data.subarray(i, i + 4)]).toEqual([
          grayValue(x, y),
          grayValue(x, y),
          grayValue(x, y),
          255,
        ]);
      }
    }
  });

  it('decodes an RGB PNG exactly and notices alpha in an RGBA PNG', () => {
    const rgb = decodeImage(read('rgb-4x3.png'));
    expect(rgb.grayscale).toBe(false);
    const i = 4 * (4 * 2 + 3); // pixel (3, 2)
    expect([...rgb.data.subarray(i, i + 3)]).toEqual(rgbValue(3, 2));
    const rgba = decodeImage(read('rgba-2x2.png'));
    expect(rgba.hasAlpha).toBe(true);
    expect([...rgba.data.subarray(12, 16)]).toEqual([255, 255, 0, 128]);
  });

  it('decodes JPEGs within a few levels of the encoded colours', () => {
    const rgb = decodeImage(read('rgb-8x8.jpg'));
    expect([rgb.format, rgb.width, rgb.height]).toEqual(['jpeg', 8, 8]);
    for (let p = 0; p < 64; p++) {
      const [r, g, b] = rgb.data.subarray(4 * p, 4 * p + 3);
      expect(Math.abs(r - 200)).toBeLessThanOrEqual(3);
      expect(Math.abs(g - 40)).toBeLessThanOrEqual(3);
      expect(Math.abs(b - 90)).toBeLessThanOrEqual(3);
    }
    const gray = decodeImage(read('gray-8x8.jpg'));
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const expected = 16 * (x + y) + 8;
        const [r, g, b] = gray.data.subarray(4 * (8 * y + x), 4 * (8 * y + x) + 3);
        for (const v of [r, g, b]) expect(Math.abs(v - expected)).toBeLessThanOrEqual(3);
      }
    }
  });

  it.each([
    ['not-an-image.png', /not a PNG or JPEG image/],
    ['gif-named.png', /GIF images are not supported/],
    ['truncated.png', /PNG data is truncated or corrupt/],
    ['corrupt.png', /PNG data is truncated or corrupt/],
    ['truncated.jpg', /JPEG data is truncated, corrupt/],
  ])('%s → ImageFileError', (name, message) => {
    const attempt = () => decodeImage(read(name), { source: name });
    expect(attempt).toThrow(ImageFileError);
    expect(attempt).toThrow(message);
    expect(attempt).toThrow(`(${name})`);
  });

  it('rejects empty data', () => {
    expect(() => decodeImage(new Uint8Array(0))).toThrow(/empty.*<buffer>/);
  });
});

describe('resizePixels', () => {
  const row = { data: Float32Array.from([0, 100]), height: 1, width: 2, channels: 1 };

  it('bilinear with half-pixel centres: [0, 100] → [0, 25, 75, 100]', () => {
    expect([...resizePixels(row, 1, 4, 'bilinear').data]).toEqual([0, 25, 75, 100]);
  });

  it('nearest repeats pixels and downsamples by picking centres', () => {
    expect([...resizePixels(row, 1, 4, 'nearest').data]).toEqual([0, 0, 100, 100]);
    const four = { data: Float32Array.from([1, 2, 3, 4]), height: 1, width: 4, channels: 1 };
    expect([...resizePixels(four, 1, 2, 'nearest').data]).toEqual([2, 4]);
    expect([...resizePixels(four, 1, 2, 'bilinear').data]).toEqual([1.5, 3.5]);
  });

  it('keeps channels apart and returns same-size input unchanged', () => {
    const rgb = {
      data: Float32Array.from([0, 10, 20, 100, 110, 120]),
      height: 1,
      width: 2,
      channels: 3,
    };
    expect([...resizePixels(rgb, 1, 4, 'bilinear').data.subarray(3, 6)]).toEqual([25, 35, 45]);
    expect(resizePixels(rgb, 1, 2, 'bilinear')).toBe(rgb);
  });
});

describe('area resizing', () => {
  it('averages the covered pixels (exact for integer factors, weighted otherwise)', () => {
    const four = { data: Float32Array.from([1, 2, 3, 4]), height: 1, width: 4, channels: 1 };
    expect([...resizePixels(four, 1, 2, 'area').data]).toEqual([1.5, 3.5]);
    // 4 → 3: each output covers 4/3 input pixels.
    const third = [...resizePixels(four, 1, 3, 'area').data];
    [1 * 0.75 + 2 * 0.25, 2 * 0.5 + 3 * 0.5, 3 * 0.25 + 4 * 0.75].forEach((v, i) =>
      expect(third[i]).toBeCloseTo(v, 5),
    );
    const square = { data: Float32Array.from([0, 4, 8, 12]), height: 2, width: 2, channels: 1 };
    expect([...resizePixels(square, 1, 1, 'area').data]).toEqual([6]);
  });
});

describe('EXIF orientation', () => {
  // Stored 3×2 image  a b c / d e f  with one distinct byte per pixel.
  const stored = {
    data: Uint8Array.from([...'abcdef'].flatMap((ch) => [ch.charCodeAt(0), 0, 0, 255])),
    width: 3,
    height: 2,
  };
  const letters = (p: { data: Uint8Array; width: number }) =>
    Array.from({ length: p.data.length / 4 }, (_, i) => String.fromCharCode(p.data[4 * i])).join(
      '',
    );

  it.each([
    [1, 3, 'abcdef'],
    [2, 3, 'cbafed'], // mirrored left–right
    [3, 3, 'fedcba'], // turned 180°
    [4, 3, 'defabc'], // mirrored top–bottom
    [5, 2, 'adbecf'], // transposed
    [6, 2, 'daebfc'], // turned 90° clockwise
    [7, 2, 'fcebda'], // transversed
    [8, 2, 'cfbead'], // turned 90° counter-clockwise
  ] as const)('orientation %i', (orientation, width, expected) => {
    const upright = applyOrientation(stored, orientation);
    expect(upright.width).toBe(width);
    expect(upright.height).toBe(6 / width);
    expect(letters(upright)).toBe(expected);
  });

  it('reads the tag in big- and little-endian EXIF and turns the JPEG upright', () => {
    // Stored 16×8: left half red, right half blue.
    const cw = decodeImage(read('exif-orientation-6.jpg'));
    expect([cw.orientation, cw.width, cw.height]).toEqual([6, 8, 16]);
    const redAt = (image: { data: Uint8Array; width: number }, x: number, y: number) =>
      image.data[4 * (y * image.width + x)] > 200 && image.data[4 * (y * image.width + x) + 2] < 50;
    expect(redAt(cw, 4, 2)).toBe(true); // the left half turned clockwise is now on top
    expect(redAt(cw, 4, 13)).toBe(false);
    const ccw = decodeImage(read('exif-orientation-8.jpg'));
    expect([ccw.orientation, ccw.width, ccw.height]).toEqual([8, 8, 16]);
    expect(redAt(ccw, 4, 13)).toBe(true); // turned counter-clockwise: at the bottom
    expect(readJpegOrientation(read('rgb-8x8.jpg'))).toBe(1);
    const raw = decodeImage(read('exif-orientation-6.jpg'), { applyExifOrientation: false });
    expect([raw.orientation, raw.width, raw.height]).toEqual([1, 16, 8]);
  });
});
