/**
 * The RelevanceExplorer's figures as pure functions of its state: plotly traces and layouts, the
 * labels and menu entries. No DOM and no plotly calls here; `relevance-explorer.ts` wires them
 * to the page. The live widget and the text/html fallback both draw through these.
 */
import type { PlotlyObject } from 'plotly.js-dist-min';
import type { ClassOption, ImageState, LayerState, RuleOption } from '../../src/schema';
import { colorscaleOf } from '../../src/colormaps';
import { inputPicture, maxAbs, spatialGrid, type LayerLayout } from '../maps';
import { imageValues } from '../payload';

export const INPUT_WIDTH = 300;
export const MAP_WIDTH = 380;
const PLOT_HEIGHT = 300;
const MASS_HEIGHT = 170;
const NEGATIVE_BAR = '#3b6fd8';
const POSITIVE_BAR = '#d83b3b';
const CURRENT_BAR = '#ff7f0e';
const OTHER_BAR = '#9ab';
/** Above this many units a dense layer is drawn as two filled step lines, not SVG bars. */
const MAX_BARS = 200;
/** Above this many units the step lines are drawn over bins of units (about 3 per pixel). */
const MAX_LINE_POINTS = 1000;

/** A plotly figure: traces and layout. */
export interface Figure {
  traces: PlotlyObject[];
  layout: PlotlyObject;
}

/** Traces of the input picture (grey heatmap, or an RGB image). */
export function inputTraces(input: ImageState): PlotlyObject[] {
  const picture = inputPicture(imageValues(input), input.shape, input.range);
  if (picture.kind === 'rgb') return [{ type: 'image', z: picture.z, hoverinfo: 'x+y' }];
  return [
    {
      type: 'heatmap',
      z: picture.z,
      colorscale: colorscaleOf('gray'),
      zmin: input.range[0],
      zmax: input.range[1],
      showscale: false,
      hovertemplate: 'x %{x}, y %{y}<br>input %{z:.3g}<extra></extra>',
    },
  ];
}

/**
 * Layout of an image figure. Explicit sizes: views are often drawn before their element is
 * attached (html-manager, the nbextension), when plotly's autosize would fall back to 700×450.
 */
export function imageLayout(heading: string, width = MAP_WIDTH): PlotlyObject {
  return {
    width,
    height: PLOT_HEIGHT,
    title: { text: heading, font: { size: 12 } },
    margin: { l: 30, r: 10, t: 30, b: 25 },
    xaxis: { constrain: 'domain' },
    yaxis: { autorange: 'reversed', scaleanchor: 'x', constrain: 'domain' },
    // Keep zoom across redraws of the same figure (zoom is front-end state).
    uirevision: 'keep',
  };
}

/** The input figure. */
export function inputFigure(input: ImageState): Figure {
  return { traces: inputTraces(input), layout: imageLayout('input', INPUT_WIDTH) };
}

/** Heading of a layer's figure. */
export function layerHeading(layer: LayerState, channel: number | 'sum'): string {
  const part = channel === 'sum' ? '' : ` channel #${channel}`;
  return `${layer.name} (${layer.class_name})${part}`;
}

/**
 * A layer's units in bins of `size` consecutive units: each bin's largest positive and most
 * negative value (0 where it has none; NaN counts as neither).
 */
export function binnedEnvelope(
  values: Float32Array,
  size: number,
): { first: number[]; last: number[]; high: number[]; low: number[] } {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`bins of ${size} units`);
  const envelope = {
    first: [] as number[],
    last: [] as number[],
    high: [] as number[],
    low: [] as number[],
  };
  for (let first = 0; first < values.length; first += size) {
    const last = Math.min(values.length, first + size) - 1;
    let high = 0;
    let low = 0;
    for (let i = first; i <= last; i++) {
      if (values[i] > high) high = values[i];
      else if (values[i] < low) low = values[i];
    }
    envelope.first.push(first);
    envelope.last.push(last);
    envelope.high.push(high);
    envelope.low.push(low);
  }
  return envelope;
}

/**
 * Two filled step lines, positive red and negative blue, of a layer too wide for bars, over bins
 * of `binSize` units (1: every unit, on the labels' axis when given). At about three bins per
 * pixel each bin's extremes are what lines through every unit would show there, and plotly draws
 * 1000 points at once where VGG16's 25 088 Flatten units took 100–300 ms a step (npm run
 * bench:widgets). Zooming in keeps the bins: finer detail needs the channel or a narrower layer.
 */
function envelopeTraces(
  values: Float32Array,
  labels: string[] | undefined,
  binSize: number,
): PlotlyObject[] {
  const { first, last, high, low } = binnedEnvelope(values, binSize);
  const binned = binSize > 1;
  const x = binned ? first.map((f, b) => (f + last[b]) / 2) : (labels ?? first);
  const unit = binned ? 'neurons %{customdata[0]}–%{customdata[1]}' : 'neuron %{x}';
  return [
    { y: high, color: POSITIVE_BAR, value: binned ? 'largest R' : 'R' },
    { y: low, color: NEGATIVE_BAR, value: binned ? 'most negative R' : 'R' },
  ].map(({ y, color, value }) => ({
    type: 'scatter',
    mode: 'lines',
    x,
    y,
    line: { shape: 'hvh', width: 1, color },
    fill: 'tozeroy',
    fillcolor: color,
    ...(binned ? { customdata: first.map((f, b) => [f, last[b]]) } : {}),
    hovertemplate: `${unit}<br>${value} = %{y:.4g}<extra></extra>`,
    showlegend: false,
  }));
}

/** Bars of a dense layer (class names on the output layer's axis when given). */
export function denseFigure(
  values: Float32Array,
  heading: string,
  labels: string[] | undefined,
  uirevision: string,
): Figure {
  // Hundreds of SVG bars take plotly ~100 ms; wider layers are two filled step lines (positive
  // red, negative blue), which look the same and draw at once; above MAX_LINE_POINTS units, over bins.
  const binSize = Math.max(1, Math.ceil(values.length / MAX_LINE_POINTS));
  const traces: PlotlyObject[] =
    values.length <= MAX_BARS
      ? [
          {
            type: 'bar',
            x: labels ?? Array.from(values, (_, i) => i),
            y: Array.from(values),
            marker: { color: Array.from(values, (v) => (v >= 0 ? POSITIVE_BAR : NEGATIVE_BAR)) },
            hovertemplate: 'neuron %{x}<br>R = %{y:.4g}<extra></extra>',
          },
        ]
      : envelopeTraces(values, labels, binSize);
  return {
    traces,
    layout: {
      width: MAP_WIDTH,
      height: PLOT_HEIGHT,
      title: { text: heading, font: { size: 12 } },
      margin: { l: 45, r: 10, t: 30, b: 30 },
      // Binned units are numbered even where they have labels.
      xaxis: { type: labels && binSize === 1 ? 'category' : 'linear' },
      yaxis: { zeroline: true },
      uirevision,
    },
  };
}

/** Options of {@link spatialFigure}. */
export interface SpatialOptions {
  colormap: string;
  /** Draw over the input picture with this opacity; undefined: side by side. */
  overlayOpacity?: number;
}

/** A spatial map `[H, W]` as a heatmap on a symmetric scale, alone or over the input. */
export function spatialFigure(
  values: Float32Array,
  layout: Extract<LayerLayout, { kind: 'spatial' }>,
  heading: string,
  input: ImageState,
  options: SpatialOptions,
): Figure {
  const grid = spatialGrid(values, layout.height, layout.width, 1, 'sum');
  const bound = maxAbs(grid);
  const heat: PlotlyObject = {
    type: 'heatmap',
    z: grid,
    colorscale: colorscaleOf(options.colormap),
    zmin: -bound,
    zmax: bound,
    zmid: 0,
    hovertemplate: 'x %{x}, y %{y}<br>R = %{z:.4g}<extra></extra>',
    colorbar: { thickness: 10 },
  };
  if (options.overlayOpacity === undefined) return { traces: [heat], layout: imageLayout(heading) };
  // Overlay: stretch the (possibly coarser) relevance map over the input's pixel grid.
  const scaleX = (input.shape[1] ?? layout.width) / layout.width;
  const scaleY = input.shape[0] / layout.height;
  Object.assign(heat, {
    opacity: options.overlayOpacity,
    dx: scaleX,
    dy: scaleY,
    x0: (scaleX - 1) / 2,
    y0: (scaleY - 1) / 2,
  });
  return { traces: [...inputTraces(input), heat], layout: imageLayout(`${heading} over input`) };
}

/** Bar colours of the mass chart: the shown layer highlighted. */
export function massColours(layers: readonly LayerState[], shown: number): string[] {
  return layers.map((_, i) => (i === shown ? CURRENT_BAR : OTHER_BAR));
}

/** Σ|R| and ΣR per layer, output to input. */
export function massFigure(layers: readonly LayerState[], shown: number): Figure {
  const x = layers.map((l, i) => `${i}:${l.name}`);
  return {
    traces: [
      {
        type: 'bar',
        name: 'Σ|R|',
        x,
        y: layers.map((l) => l.mass),
        marker: { color: massColours(layers, shown) },
        hovertemplate: '%{x}<br>Σ|R| = %{y:.4g}<extra></extra>',
      },
      {
        type: 'scatter',
        mode: 'lines+markers',
        name: 'ΣR',
        x,
        y: layers.map((l) => l.sum),
        hovertemplate: '%{x}<br>ΣR = %{y:.4g}<extra></extra>',
      },
    ],
    layout: {
      width: INPUT_WIDTH + MAP_WIDTH + 8,
      height: MASS_HEIGHT,
      title: { text: 'relevance mass per layer (output → input)', font: { size: 11 } },
      margin: { l: 45, r: 10, t: 25, b: 40 },
      showlegend: true,
      legend: { orientation: 'h', x: 1, xanchor: 'right', y: 1.2 },
      xaxis: { tickfont: { size: 9 } },
    },
  };
}

/** The stepper's label of trace position `index`. */
export function layerLabel(layers: readonly LayerState[], index: number): string {
  const layer = layers[index];
  if (!layer) return 'no trace';
  const position = index === 0 ? 'output' : index === layers.length - 1 ? 'input' : 'hidden';
  return (
    `${index + 1}/${layers.length} ${layer.name} (${layer.class_name}) ` +
    `[${layer.shape.join('×')}] ${position} ΣR=${layer.sum.toPrecision(4)}` +
    (layer.vanished ? ' vanished' : '')
  );
}

/** Class names by index for the output layer's axis; undefined when the state has none. */
export function classLabels(classes: readonly ClassOption[], units: number): string[] | undefined {
  if (classes.length === 0) return undefined;
  const byIndex = new Map(classes.map((c) => [c.index, c.label]));
  return Array.from({ length: units }, (_, i) => byIndex.get(i) ?? String(i));
}

/**
 * Target menu entries: the classes most probable first, those whose label or index contains
 * `filter` (case-insensitive); the current target is always listed.
 */
export function targetOptions(
  classes: readonly ClassOption[],
  target: number,
  filter = '',
): { value: string; label: string }[] {
  const needle = filter.trim().toLowerCase();
  const options = classes
    .filter(
      (c) =>
        c.index === target ||
        !needle ||
        c.label.toLowerCase().includes(needle) ||
        String(c.index) === needle,
    )
    .map((c) => ({
      value: String(c.index),
      label: `${c.label} — ${(c.probability * 100).toFixed(1)} %`,
    }));
  if (!options.some((o) => o.value === String(target)))
    options.unshift({ value: String(target), label: `class ${target}` });
  return options;
}

/** Rule menu entries; the current rule shows its parameters (e.g. "LRP-ε (ε = 0.000001)"). */
export function ruleMenu(
  rules: readonly RuleOption[],
  rule: string,
  description: string,
): { value: string; label: string }[] {
  const options = rules.map((r) => ({
    value: r.value,
    label: r.value === rule && description ? description : r.label,
  }));
  if (!options.some((o) => o.value === rule))
    options.push({ value: rule, label: description || rule });
  return options;
}

/** Channel menu entries of a spatial layer with `channels` channels. */
export function channelOptions(channels: number): { value: string; label: string }[] {
  const options = [{ value: 'sum', label: `sum of ${channels}` }];
  for (let c = 0; c < channels; c++) options.push({ value: String(c), label: `#${c}` });
  return options;
}
