import { PNG } from 'pngjs';
import {
  HeatmapInputError,
  colorbar,
  heatmap,
  pngDataUrl,
  sharedSymmetricBound,
  tileImages,
  type RgbaImage,
} from '../src/heatmap/index';

const pixel = (image: RgbaImage, x: number, y: number) => [
  ...image.data.subarray(4 * (y * image.width + x), 4 * (y * image.width + x) + 4),
];

describe('colorbar', () => {
  it('runs from value 0 on the left to value 1 on the right', () => {
    const bar = colorbar('bwr', { length: 3, thickness: 2 });
    expect([bar.width, bar.height]).toEqual([3, 2]);
    expect(pixel(bar, 0, 1)).toEqual([0, 0, 255, 255]);
    expect(pixel(bar, 1, 0)).toEqual([255, 255, 255, 255]);
    expect(pixel(bar, 2, 1)).toEqual([255, 0, 0, 255]);
  });

  it('vertical bars put value 1 on top', () => {
    const bar = colorbar('hot', { orientation: 'vertical', length: 2, thickness: 1 });
    expect([bar.width, bar.height]).toEqual([1, 2]);
    expect(pixel(bar, 0, 0)).toEqual([255, 255, 255, 255]);
    expect(pixel(bar, 0, 1)).toEqual([0, 0, 0, 255]);
    expect(() => colorbar('bwr', { length: 1 })).toThrow(HeatmapInputError);
  });
});

describe('tileImages', () => {
  const red = { data: new Uint8ClampedArray([255, 0, 0, 255]), width: 1, height: 1 };
  const blue = {
    data: new Uint8ClampedArray([0, 0, 255, 255, 0, 0, 255, 255]),
    width: 2,
    height: 1,
  };

  it('lays images out in rows with gaps, cells as large as the largest image', () => {
    const grid = tileImages([red, blue, red], { columns: 2, gap: 1, background: [0, 0, 0, 0] });
    // 2 columns of width 2 + 3 gaps; 2 rows of height 1 + 3 gaps.
    expect([grid.width, grid.height]).toEqual([7, 5]);
    expect(pixel(grid, 1, 1)).toEqual([255, 0, 0, 255]);
    expect(pixel(grid, 2, 1)).toEqual([0, 0, 0, 0]); // rest of the red image's cell
    expect(pixel(grid, 4, 1)).toEqual([0, 0, 255, 255]);
    expect(pixel(grid, 5, 1)).toEqual([0, 0, 255, 255]);
    expect(pixel(grid, 1, 3)).toEqual([255, 0, 0, 255]);
    expect(pixel(grid, 4, 3)).toEqual([0, 0, 0, 0]); // empty last cell
  });

  it('compares rules on one shared scale', () => {
    const maps = [
      { data: [1, -1], shape: [1, 2] },
      { data: [2, -2], shape: [1, 2] },
    ];
    const bound = sharedSymmetricBound(maps);
    const grid = tileImages(
      maps.map((m) => heatmap(m, { bound })),
      { gap: 0 },
    );
    expect(pixel(grid, 0, 0)).toEqual([255, 129, 129, 255]);
    expect(pixel(grid, 2, 0)).toEqual([255, 0, 0, 255]);
    expect(() => tileImages([])).toThrow(HeatmapInputError);
  });
});

describe('pngDataUrl', () => {
  it('is a base64 PNG that decodes to the same pixels', () => {
    const image = heatmap({ data: [-1, 0, 1], shape: [1, 3] });
    const url = pngDataUrl(image);
    expect(url.startsWith('data:image/png;base64,')).toBe(true);
    const decoded = PNG.sync.read(
      Buffer.from(url.slice('data:image/png;base64,'.length), 'base64'),
    );
    expect([...decoded.data]).toEqual([...image.data]);
  });
});
