import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { ImageFileError } from '../src/errors';
import { imageShapeOfModel, loadImage } from '../src/image/index';

const fixture = (name: string) => path.join(__dirname, 'fixtures', 'images', name);
const grayValue = (x: number, y: number) => 20 * (4 * y + x);
const rgbValue = (x: number, y: number) => [60 * x, 100 * y, 255 - 40 * (x + y)];

let baseline: number;
beforeEach(() => {
  baseline = tf.memory().numTensors;
});

/** Reads a loaded tensor, disposes it, and checks that nothing else was left behind. */
function take(tensor: tf.Tensor4D): { shape: number[]; values: number[] } {
  const out = { shape: tensor.shape, values: Array.from(tensor.dataSync()) };
  tensor.dispose();
  expect(tf.memory().numTensors).toBe(baseline);
  return out;
}

describe('loadImage', () => {
  it('loads a grayscale PNG at its own size as RGB in [0, 1] by default', async () => {
    const { shape, values } = take(await loadImage(fixture('gray-4x3.png')));
    expect(shape).toEqual([1, 3, 4, 3]);
    expect(values[3 * (4 * 2 + 1)]).toBeCloseTo(grayValue(1, 2) / 255, 6);
    expect(values[3 * (4 * 2 + 1) + 2]).toBeCloseTo(grayValue(1, 2) / 255, 6);
  });

  it('loads a grayscale PNG as one channel with exact values and a custom scale', async () => {
    const { shape, values } = take(
      await loadImage(fixture('gray-4x3.png'), { shape: [3, 4, 1], scale: [-1, 1] }),
    );
    expect(shape).toEqual([1, 3, 4, 1]);
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 4; x++) {
        expect(values[4 * y + x]).toBeCloseTo(-1 + (2 * grayValue(x, y)) / 255, 5);
      }
    }
  });

  it('keeps RGB exactly, and converts RGB to gray by BT.601 luma', async () => {
    const rgb = take(await loadImage(fixture('rgb-4x3.png'), { scale: [0, 255] }));
    expect(rgb.values.slice(3 * (4 * 1 + 2), 3 * (4 * 1 + 2) + 3)).toEqual(rgbValue(2, 1));
    const gray = take(
      await loadImage(fixture('rgb-4x3.png'), { shape: [3, 4, 1], scale: [0, 255] }),
    );
    const [r, g, b] = rgbValue(2, 1);
    expect(gray.values[4 * 1 + 2]).toBeCloseTo(0.299 * r + 0.587 * g + 0.114 * b, 3);
  });

  it('keeps alpha only for 4-channel inputs', async () => {
    const rgba = take(
      await loadImage(fixture('rgba-2x2.png'), { shape: [2, 2, 4], scale: [0, 255] }),
    );
    expect(rgba.values.slice(12, 16)).toEqual([255, 255, 0, 128]);
  });

  it('resizes to a model input (nearest doubles pixels, bilinear interpolates)', async () => {
    const model = tf.sequential({
      layers: [tf.layers.conv2d({ inputShape: [6, 8, 1], filters: 1, kernelSize: 1 })],
    });
    baseline = tf.memory().numTensors; // the model's weights stay until it is disposed
    const nearest = take(
      await loadImage(fixture('gray-4x3.png'), { model, resize: 'nearest', scale: [0, 255] }),
    );
    expect(nearest.shape).toEqual([1, 6, 8, 1]);
    for (let y = 0; y < 6; y++) {
      for (let x = 0; x < 8; x++) {
        expect(nearest.values[8 * y + x]).toBeCloseTo(grayValue(x >> 1, y >> 1), 4);
      }
    }
    const bilinear = take(await loadImage(fixture('gray-4x3.png'), { model, scale: [0, 255] }));
    // Output x = 1 sits at input x = 0.25: 3/4 of pixel 0 plus 1/4 of pixel 1 (row 0: 0 and 20).
    expect(bilinear.values[1]).toBeCloseTo(5, 4);
    // The loaded tensor goes straight into the model.
    const input = await loadImage(fixture('rgb-8x8.jpg'), { model });
    const output = model.predict(input) as tf.Tensor;
    expect(output.shape).toEqual([1, 6, 8, 1]);
    tf.dispose([input, output]);
    expect(tf.memory().numTensors).toBe(baseline);
    model.dispose();
  });

  it('loads JPEGs (RGB and grayscale content) and resizes them', async () => {
    const rgb = take(
      await loadImage(fixture('rgb-8x8.jpg'), { shape: [4, 4, 3], scale: [0, 255] }),
    );
    expect(rgb.shape).toEqual([1, 4, 4, 3]);
    expect(Math.abs(rgb.values[0] - 200)).toBeLessThanOrEqual(3);
    expect(Math.abs(rgb.values[1] - 40)).toBeLessThanOrEqual(3);
    expect(Math.abs(rgb.values[2] - 90)).toBeLessThanOrEqual(3);
    const gray = take(await loadImage(fixture('gray-8x8.jpg'), { shape: [8, 8, 1] }));
    expect(Math.abs(gray.values[8 * 7 + 7] - (16 * 14 + 8) / 255)).toBeLessThanOrEqual(3 / 255);
  });

  it('turns phone photos upright and shrinks them by area averaging', async () => {
    // Stored 16×8 (left red, right blue) with EXIF orientation 6: upright it is 8×16, red on top.
    const { shape, values } = take(
      await loadImage(fixture('exif-orientation-6.jpg'), { shape: [4, 2, 3], resize: 'area' }),
    );
    expect(shape).toEqual([1, 4, 2, 3]);
    expect(values[0]).toBeGreaterThan(0.9); // top-left red
    expect(values[2]).toBeLessThan(0.1);
    expect(values[3 * 7]).toBeLessThan(0.1); // bottom-right blue
    expect(values[3 * 7 + 2]).toBeGreaterThan(0.9);
    const stored = take(
      await loadImage(fixture('exif-orientation-6.jpg'), { applyExifOrientation: false }),
    );
    expect(stored.shape).toEqual([1, 8, 16, 3]);
  });

  describe('errors are ImageFileError naming the file and the fix', () => {
    it.each([
      ['does-not-exist.png', /does not exist/],
      ['not-an-image.png', /not a PNG or JPEG image.*Convert the image to PNG or JPEG/],
      ['gif-named.png', /GIF images are not supported/],
      ['truncated.png', /truncated or corrupt/],
      ['truncated.jpg', /truncated, corrupt/],
      ['corrupt.png', /truncated or corrupt/],
    ])('%s', async (name, message) => {
      const attempt = loadImage(fixture(name));
      await expect(attempt).rejects.toThrow(ImageFileError);
      await expect(loadImage(fixture(name))).rejects.toThrow(message);
      await expect(loadImage(fixture(name))).rejects.toThrow(fixture(name));
      expect(tf.memory().numTensors).toBe(baseline);
    });

    it('a directory', async () => {
      await expect(loadImage(path.join(__dirname, 'fixtures', 'images'))).rejects.toThrow(
        /is a directory/,
      );
    });

    it('a model whose input is not an image', async () => {
      const dense = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 2 })] });
      baseline = tf.memory().numTensors;
      await expect(loadImage(fixture('gray-4x3.png'), { model: dense })).rejects.toThrow(
        /input \[batch, 784\] is not an image batch.*shape: \[H, W, C\]/,
      );
      expect(() => imageShapeOfModel(dense)).toThrow(ImageFileError);
      expect(tf.memory().numTensors).toBe(baseline);
      dense.dispose();
    });

    it('contradicting model and shape, bad shape, scale and resize', async () => {
      const model = tf.sequential({
        layers: [tf.layers.conv2d({ inputShape: [6, 8, 1], filters: 1, kernelSize: 1 })],
      });
      const file = fixture('gray-4x3.png');
      await expect(loadImage(file, { model, shape: [6, 8, 3] })).rejects.toThrow(/contradicts/);
      await expect(loadImage(file, { shape: [6, 8, 2] })).rejects.toThrow(/1, 3 or 4 channels/);
      await expect(loadImage(file, { scale: [1, 1] })).rejects.toThrow(/not a value range/);
      await expect(loadImage(file, { resize: 'cubic' as unknown as 'nearest' })).rejects.toThrow(
        /Unknown resize method "cubic"/,
      );
      model.dispose();
      expect(tf.memory().numTensors).toBe(baseline);
    });
  });
});
