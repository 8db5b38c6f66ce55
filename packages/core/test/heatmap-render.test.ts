import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { ImageFileError } from '../src/errors';
import {
  HeatmapInputError,
  encodePng,
  heatmap,
  overlayHeatmap,
  sharedSymmetricBound,
  upscaleFactorFor,
  upscaleNearest,
  writePng,
  writePngSync,
  type RgbaImage,
} from '../src/heatmap/index';

const pixel = (image: RgbaImage, x: number, y: number) => [
  ...image.data.subarray(4 * (y * image.width + x), 4 * (y * image.width + x) + 4),
];

describe('heatmap()', () => {
  it('draws signed relevance with bwr: negative blue, zero white, positive red', () => {
    const image = heatmap({ data: [-2, 0, 2, 1], shape: [2, 2] });
    expect([image.width, image.height, image.low, image.high]).toEqual([2, 2, -2, 2]);
    expect(image.colormap).toBe('bwr');
    expect(pixel(image, 0, 0)).toEqual([0, 0, 255, 255]);
    expect(pixel(image, 1, 0)).toEqual([255, 255, 255, 255]);
    expect(pixel(image, 0, 1)).toEqual([255, 0, 0, 255]);
    // 1/2 → position 0.75 → table entry 191, 63/127 of the way from white to red.
    expect(pixel(image, 1, 1)).toEqual([255, 129, 129, 255]);
  });

  it('sums channels of a [1, H, W, C] tensor without leaking', () => {
    const before = tf.memory().numTensors;
    const relevance = tf.tensor4d([1, 1, 1, -1, -1, -1], [1, 1, 2, 3]);
    const image = heatmap(relevance);
    relevance.dispose();
    expect(pixel(image, 0, 0)).toEqual([255, 0, 0, 255]);
    expect(pixel(image, 1, 0)).toEqual([0, 0, 255, 255]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('unsigned colormaps start at relevance 0', () => {
    const image = heatmap(
      { data: [0, 4], shape: [1, 2] },
      { colormap: 'hot', reduction: 'absSum' },
    );
    expect(pixel(image, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(pixel(image, 1, 0)).toEqual([255, 255, 255, 255]);
  });

  it('a shared bound keeps equal relevance the same colour across maps', () => {
    const weak = { data: [1, -1], shape: [1, 2] };
    const strong = { data: [2, -2], shape: [1, 2] };
    const bound = sharedSymmetricBound([weak, strong]);
    const a = heatmap(weak, { bound });
    const b = heatmap(strong, { bound });
    expect(pixel(a, 0, 0)).toEqual([255, 129, 129, 255]);
    expect(pixel(b, 0, 0)).toEqual([255, 0, 0, 255]);
  });

  it('upscales 28×28 to 224×224 by nearest neighbour', () => {
    const data = new Float32Array(28 * 28);
    data[0] = 1; // top-left pixel red, the rest white
    const image = heatmap({ data, shape: [28, 28] }, { minSize: 224 });
    expect([image.width, image.height]).toEqual([224, 224]);
    expect(pixel(image, 7, 7)).toEqual([255, 0, 0, 255]);
    expect(pixel(image, 8, 0)).toEqual([255, 255, 255, 255]);
    expect(heatmap({ data, shape: [28, 28] }, { upscale: 3 }).width).toBe(84);
    expect(() => heatmap({ data, shape: [28, 28] }, { upscale: 2, minSize: 100 })).toThrow(
      HeatmapInputError,
    );
  });
});

describe('upscaleNearest', () => {
  it('turns each pixel into a factor×factor block', () => {
    const image = { data: new Uint8ClampedArray([1, 2, 3, 4, 5, 6, 7, 8]), width: 2, height: 1 };
    const big = upscaleNearest(image, 2);
    expect([big.width, big.height]).toEqual([4, 2]);
    expect([...big.data.subarray(0, 16)]).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 5, 6, 7, 8]);
    expect([...big.data.subarray(16)]).toEqual([...big.data.subarray(0, 16)]);
    expect(upscaleFactorFor(28, 28, 224)).toBe(8);
    expect(upscaleFactorFor(28, 20, 100)).toBe(4);
    expect(() => upscaleNearest(image, 1.5)).toThrow(/integer/);
  });
});

describe('PNG export', () => {
  const image = heatmap(
    { data: [-1, -0.5, 0, 0.25, 0.5, 1], shape: [2, 3] },
    { colormap: 'coldnhot' },
  );

  it('encode → pngjs decode gives back the same pixels', () => {
    const decoded = PNG.sync.read(encodePng(image));
    expect([decoded.width, decoded.height]).toEqual([3, 2]);
    expect([...decoded.data]).toEqual([...image.data]);
  });

  it('writes files (async and sync) that decode to the same pixels', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlrp-png-'));
    try {
      await writePng(path.join(dir, 'a.png'), image);
      writePngSync(path.join(dir, 'b.png'), image);
      for (const name of ['a.png', 'b.png']) {
        const decoded = PNG.sync.read(fs.readFileSync(path.join(dir, name)));
        expect([...decoded.data]).toEqual([...image.data]);
      }
      await expect(writePng(path.join(dir, 'missing', 'c.png'), image)).rejects.toThrow(
        ImageFileError,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an RGBA buffer of the wrong length', () => {
    expect(() => encodePng({ data: new Uint8ClampedArray(7), width: 1, height: 2 })).toThrow(
      /needs 8 bytes but has 7/,
    );
  });
});

describe('overlayHeatmap', () => {
  // A 1×3 grayscale image (values in [0, 1]) and relevance −1, 0, 1.
  const gray = { data: [0, 0.5, 1], shape: [1, 3] };
  const relevance = { data: [-1, 0, 1], shape: [1, 3] };

  it('blends heatmap colours over the image with the given opacity', () => {
    const half = overlayHeatmap(gray, relevance, { opacity: 0.5 });
    expect(pixel(half, 0, 0)).toEqual([0, 0, 128, 255]); // black + blue
    expect(pixel(half, 1, 0)).toEqual([192, 192, 192, 255]); // mid gray (128) + white
    expect(pixel(half, 2, 0)).toEqual([255, 128, 128, 255]); // white + red
    const opaque = overlayHeatmap(gray, relevance, { opacity: 1 });
    expect(pixel(opaque, 2, 0)).toEqual([255, 0, 0, 255]);
    const invisible = overlayHeatmap(gray, relevance, { opacity: 0 });
    expect(pixel(invisible, 1, 0)).toEqual([128, 128, 128, 255]);
  });

  it('colours only pixels with |R| above the threshold', () => {
    const rel = { data: [0.1, -0.5, 1], shape: [1, 3] };
    const image = overlayHeatmap(gray, rel, { opacity: 1, threshold: 0.3 });
    expect(pixel(image, 0, 0)).toEqual([0, 0, 0, 255]); // |R| = 0.1 ≤ 0.3: image only
    expect(pixel(image, 1, 0)).toEqual([128, 128, 255, 255]);
    expect(pixel(image, 2, 0)).toEqual([255, 0, 0, 255]);
  });

  it('takes an RGB tensor image, optionally desaturated, and upscales the result', () => {
    const before = tf.memory().numTensors;
    const rgb = tf.tensor4d([1, 0, 0, 0, 1, 0], [1, 1, 2, 3]); // red, green
    const rel = tf.zeros([1, 1, 2, 3]);
    const plain = overlayHeatmap(rgb, rel, { opacity: 0 });
    expect(pixel(plain, 0, 0)).toEqual([255, 0, 0, 255]);
    const desaturated = overlayHeatmap(rgb, rel, { opacity: 0, grayscaleImage: true, upscale: 2 });
    expect([desaturated.width, desaturated.height]).toEqual([4, 2]);
    expect(pixel(desaturated, 0, 0)).toEqual([76, 76, 76, 255]); // 0.299 · 255
    expect(pixel(desaturated, 3, 1)).toEqual([150, 150, 150, 255]); // 0.587 · 255
    rgb.dispose();
    rel.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('accepts [0, 255] images via imageRange and RgbaImage bases', () => {
    const bytes = overlayHeatmap(
      { data: [255], shape: [1, 1, 1] },
      { data: [0], shape: [1, 1] },
      {
        opacity: 0,
        imageRange: [0, 255],
      },
    );
    expect(pixel(bytes, 0, 0)).toEqual([255, 255, 255, 255]);
    const base = { data: new Uint8ClampedArray([10, 20, 30, 255]), width: 1, height: 1 };
    expect(pixel(overlayHeatmap(base, { data: [0], shape: [1, 1] }, { opacity: 0 }), 0, 0)).toEqual(
      [10, 20, 30, 255],
    );
  });

  it('rejects mismatched sizes and out-of-range options, naming both shapes', () => {
    expect(() => overlayHeatmap(gray, { data: [1, 2], shape: [1, 2] })).toThrow(
      /image is 1×3 but the relevance is 1×2/,
    );
    expect(() => overlayHeatmap(gray, relevance, { opacity: 2 })).toThrow(HeatmapInputError);
    expect(() => overlayHeatmap(gray, relevance, { threshold: -0.1 })).toThrow(HeatmapInputError);
    expect(() =>
      overlayHeatmap({ data: [0, 0], shape: [1, 1, 2] }, { data: [0], shape: [1, 1] }),
    ).toThrow(/1, 3 or 4 channels/);
  });
});
