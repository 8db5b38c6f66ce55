/**
 * Turning flat relevance arrays into what plotly draws: channel sums, 2-D grids, symmetric ranges.
 */

/** How a layer is drawn: a heatmap of a spatial map, or bars of per-neuron relevance. */
export type LayerLayout =
  | { kind: 'spatial'; height: number; width: number; channels: number }
  | { kind: 'dense'; units: number };

/** Decides how to draw a layer of the given output shape (batch axis excluded). */
export function layoutOf(shape: readonly number[]): LayerLayout {
  if (shape.length === 3)
    return { kind: 'spatial', height: shape[0], width: shape[1], channels: shape[2] };
  if (shape.length === 2)
    return { kind: 'spatial', height: shape[0], width: shape[1], channels: 1 };
  const units = shape.reduce((a, b) => a * b, 1);
  return { kind: 'dense', units };
}

/**
 * A `height × width` grid of a channels-last map: the sum over channels, or one channel when
 * `channel` is a number.
 */
export function spatialGrid(
  values: Float32Array,
  height: number,
  width: number,
  channels: number,
  channel: number | 'sum',
): number[][] {
  const rows: number[][] = [];
  for (let y = 0; y < height; y++) {
    const row = new Array<number>(width);
    for (let x = 0; x < width; x++) {
      const base = (y * width + x) * channels;
      if (channel === 'sum') {
        let total = 0;
        for (let c = 0; c < channels; c++) total += values[base + c];
        row[x] = total;
      } else {
        row[x] = values[base + channel];
      }
    }
    rows.push(row);
  }
  return rows;
}

/** Largest absolute value of a grid or vector (at least a tiny positive number). */
export function maxAbs(values: ArrayLike<number> | number[][]): number {
  let max = 0;
  const visit = (v: number): void => {
    const a = Math.abs(v);
    if (a > max && Number.isFinite(a)) max = a;
  };
  for (let i = 0; i < values.length; i++) {
    const item = (values as ArrayLike<number | number[]>)[i];
    if (Array.isArray(item)) item.forEach(visit);
    else visit(item as number);
  }
  return max > 0 ? max : 1e-12;
}

/** The input image as a grey grid (C ≤ 1) or an RGB `[H][W][3]` array scaled to 0–255. */
export function inputPicture(
  values: Float32Array,
  shape: readonly number[],
  range: readonly [number, number],
): { kind: 'gray'; z: number[][] } | { kind: 'rgb'; z: number[][][] } {
  const height = shape[0];
  const width = shape.length >= 2 ? shape[1] : 1;
  const channels = shape.length === 3 ? shape[2] : 1;
  const span = range[1] - range[0] || 1;
  if (channels === 3) {
    const z: number[][][] = [];
    for (let y = 0; y < height; y++) {
      const row: number[][] = [];
      for (let x = 0; x < width; x++) {
        const base = (y * width + x) * 3;
        row.push([0, 1, 2].map((c) => Math.round(((values[base + c] - range[0]) / span) * 255)));
      }
      z.push(row);
    }
    return { kind: 'rgb', z };
  }
  return { kind: 'gray', z: spatialGrid(values, height, width, channels, 'sum') };
}
