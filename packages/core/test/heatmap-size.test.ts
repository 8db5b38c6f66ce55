/**
 * Size options that would make an image too large fail with a HeatmapSizeError naming the limit and
 * the largest value that fits — before anything is allocated — instead of a bare RangeError.
 */
import * as tf from '@tensorflow/tfjs';
import {
  HeatmapInputError,
  HeatmapSizeError,
  MAX_HEATMAP_PIXELS,
  colorbar,
  heatmap,
  overlayHeatmap,
  tileImages,
  upscaleNearest,
  type RgbaImage,
} from '../src/index';
import { thrown } from './support/thrown';

const map = { data: new Float32Array(28 * 28).map((_, i) => Math.sin(i)), shape: [28, 28] };

describe('heatmap size limits', () => {
  it('is 8192 × 8192 pixels', () => {
    expect(MAX_HEATMAP_PIXELS).toBe(67108864);
  });

  it('upscale: one factor more than fits is a HeatmapSizeError naming the limit and the largest factor', () => {
    // 28 · 292 = 8176 ≤ 8192 < 28 · 293 = 8204
    const error = thrown(() => heatmap(map, { upscale: 293 }));
    expect(error).toBeInstanceOf(HeatmapSizeError);
    expect(error).toBeInstanceOf(HeatmapInputError);
    expect(error).toMatchObject({ width: 8204, height: 8204, limit: MAX_HEATMAP_PIXELS });
    expect((error as Error).message).toMatch(/limit is 67,108,864 pixels \(8192×8192\)/);
    expect((error as Error).message).toMatch(/upscale factor ≤ 292/);
    // Far beyond what a typed array can hold: still the typed error, not a RangeError.
    expect(() => heatmap(map, { upscale: 1e6 })).toThrow(HeatmapSizeError);
    expect(heatmap(map, { upscale: 3 }).width).toBe(84);
  });

  it('minSize: names the largest minSize that fits', () => {
    const error = thrown(() => heatmap(map, { minSize: 1e9 }));
    expect(error).toBeInstanceOf(HeatmapSizeError);
    expect((error as Error).message).toMatch(/minSize ≤ 8176/);
    expect(heatmap(map, { minSize: 224 }).width).toBe(224);
    expect(() => heatmap(map, { minSize: Infinity })).toThrow(/minSize must be a positive number/);
  });

  it('upscale factors that are not integers ≥ 1 stay input errors', () => {
    for (const upscale of [0, 1.5, -2, NaN]) {
      const error = thrown(() => heatmap(map, { upscale }));
      expect(error).toBeInstanceOf(HeatmapInputError);
      expect(error).not.toBeInstanceOf(HeatmapSizeError);
    }
  });

  it('upscaleNearest, overlayHeatmap, colorbar and tileImages check the size too', () => {
    const image: RgbaImage = { data: new Uint8ClampedArray(4 * 100 * 50), width: 100, height: 50 };
    expect(thrown(() => upscaleNearest(image, 200))).toMatchObject({ width: 20000, height: 10000 });
    expect((thrown(() => upscaleNearest(image, 200)) as Error).message).toMatch(/factor ≤ 115/);
    const relevance = tf.randomNormal([28, 28]);
    const input = tf.zeros([28, 28, 1]);
    const before = tf.memory().numTensors;
    expect(() => overlayHeatmap(input, relevance, { upscale: 1000 })).toThrow(HeatmapSizeError);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([relevance, input]);
    expect(() => colorbar('bwr', { length: 1e8, thickness: 16 })).toThrow(HeatmapSizeError);
    expect(() => colorbar('bwr', { length: 256, thickness: 1e6 })).toThrow(/colour bar/);
    const tile: RgbaImage = { data: new Uint8ClampedArray(4), width: 1, height: 1 };
    expect(() => tileImages([tile, tile], { gap: 1e5 })).toThrow(HeatmapSizeError);
  });
});
