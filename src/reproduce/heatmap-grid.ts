/**
 * Example heatmaps: one row per image, the input first, then one heatmap per method (red positive,
 * blue negative, each map scaled to its own absolute maximum).
 */
import { encodePng, heatmap } from '@rlrp/core';

const SCALE = 3;
const GAP = 4;

/** Compose a grid PNG. `inputs[i]` is an h·w grey image in [0, 1]; `maps[m][i]` its h·w relevance. */
export function renderHeatmapGrid(
  inputs: readonly Float32Array[],
  maps: readonly (readonly Float32Array[])[],
  height: number,
  width: number,
): Buffer {
  const cell = { w: width * SCALE, h: height * SCALE };
  const columns = 1 + maps.length;
  const rows = inputs.length;
  const W = columns * cell.w + (columns + 1) * GAP;
  const H = rows * cell.h + (rows + 1) * GAP;
  const data = new Uint8ClampedArray(W * H * 4).fill(255);
  const blit = (row: number, column: number, rgba: (x: number, y: number) => readonly number[]) => {
    const ox = GAP + column * (cell.w + GAP);
    const oy = GAP + row * (cell.h + GAP);
    for (let y = 0; y < cell.h; y++) {
      for (let x = 0; x < cell.w; x++) {
        data.set(rgba(Math.floor(x / SCALE), Math.floor(y / SCALE)), ((oy + y) * W + ox + x) * 4);
      }
    }
  };
  inputs.forEach((image, row) => {
    blit(row, 0, (x, y) => {
      const v = Math.round(255 * (1 - image[y * width + x]));
      return [v, v, v, 255];
    });
    maps.forEach((method, m) => {
      const values = Float32Array.from(method[row], (v) => (Number.isFinite(v) ? v : 0));
      const colored = heatmap({ values, height, width }, { colormap: 'bwr' });
      blit(row, m + 1, (x, y) =>
        Array.from(colored.data.subarray((y * width + x) * 4, (y * width + x) * 4 + 4)),
      );
    });
  });
  return encodePng({ data, width: W, height: H });
}
