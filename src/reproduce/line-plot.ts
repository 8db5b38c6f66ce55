/**
 * A minimal line plot rendered straight into RGBA pixels (no fonts: axes, grid and coloured lines;
 * the legend and axis labels are written beside the image in results.md).
 */
import { encodePng } from '@rlrp/core';

/** One line of a plot. */
export interface PlotSeries {
  readonly y: readonly number[];
  readonly color: readonly [number, number, number];
  /** Drawn thicker, on top. */
  readonly emphasis?: boolean;
}

/** A plot of several series over shared x positions. */
export interface LinePlot {
  /** x positions in [0, 1] (the caller maps its axis, e.g. categorical k values, to this range). */
  readonly x: readonly number[];
  readonly series: readonly PlotSeries[];
  /** y range. */
  readonly yMin: number;
  readonly yMax: number;
  /** Horizontal grid lines at these y values. */
  readonly yGrid: readonly number[];
  /** Vertical lines at these x positions; `highlightX` is drawn darker. */
  readonly xGrid: readonly number[];
  readonly highlightX?: number;
}

const WIDTH = 640;
const HEIGHT = 400;
const MARGIN = 30;

/** Render the plot as a PNG file in memory. */
export function renderLinePlot(plot: LinePlot): Buffer {
  const data = new Uint8ClampedArray(WIDTH * HEIGHT * 4).fill(255);
  const put = (x: number, y: number, rgb: readonly number[]) => {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= WIDTH || yi >= HEIGHT) return;
    data.set([rgb[0], rgb[1], rgb[2], 255], (yi * WIDTH + xi) * 4);
  };
  const px = (x: number) => MARGIN + x * (WIDTH - 2 * MARGIN);
  const py = (y: number) =>
    HEIGHT - MARGIN - ((y - plot.yMin) / (plot.yMax - plot.yMin)) * (HEIGHT - 2 * MARGIN);
  const line = (
    x0: number,
    y0: number,
    x1: number,
    y1: number,
    rgb: readonly number[],
    thickness: number,
  ) => {
    const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0)));
    const r = Math.floor(thickness / 2);
    for (let i = 0; i <= steps; i++) {
      const x = x0 + ((x1 - x0) * i) / steps;
      const y = y0 + ((y1 - y0) * i) / steps;
      for (let dx = -r; dx <= r; dx++) for (let dy = -r; dy <= r; dy++) put(x + dx, y + dy, rgb);
    }
  };
  for (const y of plot.yGrid) line(px(0), py(y), px(1), py(y), [225, 225, 225], 1);
  for (const x of plot.xGrid) {
    const rgb = x === plot.highlightX ? [255, 225, 140] : [225, 225, 225];
    line(px(x), py(plot.yMin), px(x), py(plot.yMax), rgb, x === plot.highlightX ? 7 : 1);
  }
  line(px(0), py(plot.yMin), px(1), py(plot.yMin), [0, 0, 0], 1);
  line(px(0), py(plot.yMin), px(0), py(plot.yMax), [0, 0, 0], 1);
  const ordered = [
    ...plot.series.filter((s) => !s.emphasis),
    ...plot.series.filter((s) => s.emphasis),
  ];
  for (const series of ordered) {
    for (let i = 1; i < plot.x.length; i++) {
      const [a, b] = [series.y[i - 1], series.y[i]];
      if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
      line(px(plot.x[i - 1]), py(a), px(plot.x[i]), py(b), series.color, series.emphasis ? 4 : 2);
    }
  }
  return encodePng({ data, width: WIDTH, height: HEIGHT });
}
