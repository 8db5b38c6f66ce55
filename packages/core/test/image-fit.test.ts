/**
 * A user's own image (issue #13, item 4): `fit` (fill / contain / cover) with a warning when a
 * stretch changes the aspect ratio, `invert` for dark-on-light digits, the explicit grayscale step,
 * size limits as typed errors, and an input-shape error that gives the right fix.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import { InputShapeError, OptionError } from '../src/errors';
import { explain } from '../src/explain';
import { releaseExplainCache } from '../src/recent-model';
import {
  decodeImage,
  imagePixels,
  loadImage,
  toGrayscale,
  type DecodedImage,
} from '../src/image/index';
import { loadModelFromDir } from '../src/io/index';

const fixtures = path.join(__dirname, 'fixtures', 'images');
const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** A gray test image from a row-major list of byte values. */
function grayImage(width: number, height: number, values: readonly number[]): DecodedImage {
  const data = new Uint8Array(4 * width * height);
  values.forEach((v, p) => data.set([v, v, v, 255], 4 * p));
  return { data, width, height, format: 'png', grayscale: true, hasAlpha: false, orientation: 1 };
}

const bytes = (values: Float32Array): number[] => Array.from(values, (v) => Math.round(v * 255));

describe('fit', () => {
  it("'fill' stretches and warns when the aspect ratio changes, and only then", () => {
    const warnings: string[] = [];
    const onWarning = (message: string) => warnings.push(message);
    const wide = grayImage(4, 2, [0, 0, 0, 0, 0, 0, 0, 0]);
    imagePixels(wide, { shape: [4, 4, 1], onWarning }, 'wide.png');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/wide\.png is 4×2 and is stretched to 4×4.*fit: 'contain'/);
    imagePixels(wide, { shape: [1, 2, 1], onWarning });
    imagePixels(wide, { shape: [4, 4, 1], fit: 'contain', onWarning });
    imagePixels(wide, { shape: [4, 4, 1], fit: 'cover', onWarning });
    expect(warnings).toHaveLength(1);
  });

  it("'contain' scales to fit and pads with the background, by default the border colour", () => {
    const wide = grayImage(4, 2, [255, 255, 255, 255, 255, 40, 40, 255]);
    const padded = imagePixels(wide, {
      shape: [4, 4, 1],
      fit: 'contain',
      resize: 'nearest',
      background: 0,
    });
    expect(bytes(padded.data)).toEqual([
      ...[0, 0, 0, 0],
      ...[255, 255, 255, 255],
      ...[255, 40, 40, 255],
      ...[0, 0, 0, 0],
    ]);
    // Every pixel of a 4×2 image lies on its border: the padding is their mean.
    const borderMean = (6 * 255 + 2 * 40) / 8;
    const paper = imagePixels(wide, { shape: [4, 4, 1], fit: 'contain', resize: 'nearest' });
    expect(Array.from(paper.data.subarray(0, 4), (v) => v * 255)).toEqual(
      new Array(4).fill(0).map(() => expect.closeTo(borderMean, 3)),
    );
  });

  it("'cover' crops the centre to the target's aspect ratio", () => {
    const wide = grayImage(4, 2, [10, 20, 30, 40, 50, 60, 70, 80]);
    const cropped = imagePixels(wide, { shape: [2, 2, 1], fit: 'cover', resize: 'nearest' });
    expect(bytes(cropped.data)).toEqual([20, 30, 60, 70]);
  });

  it('unknown fit and a background outside 0–255 are OptionErrors', () => {
    const image = grayImage(1, 1, [0]);
    expect(() =>
      imagePixels(image, { fit: 'stretch' as unknown as 'fill', shape: [2, 2, 1] }),
    ).toThrow(OptionError);
    expect(() => imagePixels(image, { fit: 'contain', background: 300 })).toThrow(
      /background = 300 is invalid: it must be a byte value from 0 to 255/,
    );
  });
});

describe('invert and grayscale', () => {
  it('invert maps byte v to 255 − v before scaling and keeps alpha', () => {
    const image = grayImage(2, 1, [0, 200]);
    expect(bytes(imagePixels(image, { shape: [1, 2, 1], invert: true }).data)).toEqual([255, 55]);
    const rgba = decodeImage(fs.readFileSync(path.join(fixtures, 'rgba-2x2.png')));
    const plain = imagePixels(rgba, { shape: [2, 2, 4], scale: [0, 255] }).data;
    const inverted = imagePixels(rgba, { shape: [2, 2, 4], scale: [0, 255], invert: true }).data;
    inverted.forEach((v, i) => expect(v).toBeCloseTo(i % 4 === 3 ? plain[i] : 255 - plain[i], 4));
  });

  it('grayscale repeats the BT.601 luma in every colour channel; toGrayscale is that step', () => {
    const rgb = decodeImage(fs.readFileSync(path.join(fixtures, 'rgb-4x3.png')));
    const luma = toGrayscale(rgb);
    expect(luma.channels).toBe(1);
    const [r, g, b] = [120, 100, 135]; // pixel (2, 1) of the fixture: [60 x, 100 y, 255 − 40 (x + y)]
    expect(luma.data[4 * 1 + 2]).toBeCloseTo(0.299 * r + 0.587 * g + 0.114 * b, 3);
    const gray3 = imagePixels(rgb, { shape: [3, 4, 3], grayscale: true, scale: [0, 255] }).data;
    for (let p = 0; p < 12; p++) {
      for (let c = 0; c < 3; c++) expect(gray3[3 * p + c]).toBeCloseTo(luma.data[p], 3);
    }
  });
});

describe('size options are typed errors with the limit', () => {
  it('an output beyond maxMegapixels is an OptionError, not a RangeError', () => {
    const image = grayImage(1, 1, [0]);
    expect(() => imagePixels(image, { shape: [20000, 20000, 3] })).toThrow(
      /shape = \[20000, 20000, 3\] is invalid: it must be at most 100 megapixels \(maxMegapixels = 100\)/,
    );
    expect(() => imagePixels(image, { shape: [3000, 3000, 1], maxMegapixels: 1 })).toThrow(
      OptionError,
    );
  });
});

describe("a user's own digit, end to end on the shipped MNIST CNN", () => {
  let model: tf.LayersModel;
  let tmp: string;
  beforeAll(async () => {
    model = await loadModelFromDir(path.join(repoRoot, 'models', 'mnist-cnn'));
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rlrp-own-digit-'));
  });
  afterAll(() => {
    releaseExplainCache();
    model.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a black-on-white, non-square photo of a 7 is read as 7 with invert and contain', async () => {
    // The MNIST 7, drawn dark on white paper, on a 40×28 sheet.
    const digit = PNG.sync.read(fs.readFileSync(path.join(fixtures, 'digit-7.png')));
    const sheet = new PNG({ width: 40, height: 28 });
    sheet.data.fill(255);
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const ink = digit.data[4 * (28 * y + x)];
        sheet.data.set([255 - ink, 255 - ink, 255 - ink, 255], 4 * (40 * y + x + 6));
      }
    }
    const file = path.join(tmp, 'paper-7.png');
    fs.writeFileSync(file, PNG.sync.write(sheet));
    const before = tf.memory().numTensors;
    const warnings: string[] = [];
    const x = await loadImage(file, {
      model,
      invert: true,
      fit: 'contain',
      onWarning: (w) => warnings.push(w),
    });
    expect(x.shape).toEqual([1, 28, 28, 1]);
    expect(warnings).toEqual([]);
    const predicted = tf.tidy(() => (model.predict(x) as tf.Tensor).argMax(-1).arraySync());
    expect(predicted).toEqual([7]);
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('an image loaded without the model gets an error that says to load it with the model', async () => {
    const x = await loadImage(path.join(fixtures, 'digit-7.png'));
    const before = tf.memory().numTensors;
    let caught: unknown;
    try {
      explain(model, x, { rule: 'epsilon' });
    } catch (error) {
      caught = error;
    }
    x.dispose();
    expect(caught).toBeInstanceOf(InputShapeError);
    const message = (caught as Error).message;
    expect(message).toMatch(/loadImage\(file, \{ model \}\)/);
    expect(message).not.toMatch(/batch axis/);
    releaseExplainCache();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
  });
});
