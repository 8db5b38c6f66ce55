/**
 * Runtime of the self-contained `text/html` fallback: turns the figure description embedded in
 * the HTML into one interactive plotly figure whose slider steps through the trace's layers on
 * the client. Bundled as an IIFE that installs `window.rlrpFallback`; each fallback output calls
 * `rlrpFallback.render(id)` (Jupyter inserts outputs with innerHTML + eval, so there is no
 * `document.currentScript` to find the data by).
 */
import type { PlotlyApi, PlotlyObject } from 'plotly.js-dist-min';
import type { FallbackFigure } from '../../src/schema';
import { colorscaleOf } from '../../src/colormaps';
import { maxAbs } from '../maps';
import { base64ToFloat32 } from '../payload';

declare global {
  interface Window {
    Plotly?: PlotlyApi;
    rlrpFallback?: { render(id: string): Promise<void> };
  }
}

function grid(values: Float32Array, height: number, width: number): number[][] {
  const rows: number[][] = [];
  for (let y = 0; y < height; y++)
    rows.push(Array.from(values.subarray(y * width, (y + 1) * width)));
  return rows;
}

async function render(id: string): Promise<void> {
  const container = document.getElementById(id);
  const dataNode = document.getElementById(`${id}-data`);
  const plotly = window.Plotly;
  if (!container || !dataNode) throw new Error(`rlrp fallback: element ${id} not found`);
  if (!plotly) {
    container.textContent = 'plotly.js is not loaded: this fallback figure cannot be drawn.';
    return;
  }
  const figure = JSON.parse(dataNode.textContent ?? '{}') as FallbackFigure;
  const scale = colorscaleOf(figure.colormap);
  const traces: PlotlyObject[] = figure.layers.map((layer, i) => {
    const values = base64ToFloat32(layer.data);
    const visible = i === figure.start;
    if (layer.shape.length === 2) {
      const z = grid(values, layer.shape[0], layer.shape[1]);
      const bound = maxAbs(z);
      return {
        type: 'heatmap',
        z,
        zmin: -bound,
        zmax: bound,
        colorscale: scale,
        visible,
        name: layer.name,
        hovertemplate: `${layer.name}<br>x %{x}, y %{y}<br>R = %{z:.4g}<extra></extra>`,
        colorbar: { thickness: 10, x: 1.0 },
      };
    }
    const y = Array.from(values);
    return {
      type: 'bar',
      x: y.map((_, k) => k),
      y,
      visible,
      xaxis: 'x3',
      yaxis: 'y3',
      name: layer.name,
      marker: { color: y.map((v) => (v >= 0 ? '#d83b3b' : '#3b6fd8')) },
      hovertemplate: `${layer.name}<br>neuron %{x}<br>R = %{y:.4g}<extra></extra>`,
    };
  });
  const inputValues = base64ToFloat32(figure.input.data);
  traces.push({
    type: 'heatmap',
    z: grid(inputValues, figure.input.shape[0], figure.input.shape[1]),
    colorscale: colorscaleOf('gray'),
    zmin: figure.input.range[0],
    zmax: figure.input.range[1],
    showscale: false,
    xaxis: 'x2',
    yaxis: 'y2',
    name: 'input',
    hovertemplate: 'input<br>x %{x}, y %{y}<br>%{z:.3g}<extra></extra>',
  });
  const labelOf = (i: number): string => {
    const l = figure.layers[i];
    return `${l.name} (${l.class_name}) [${l.original_shape.join('×')}] ΣR=${l.sum.toPrecision(4)}`;
  };
  // Heatmaps live on x/y (reversed y, square pixels), bars on x3/y3 over the same area; a step
  // shows the pair its layer needs.
  const axisFor = (i: number): PlotlyObject => {
    const spatial = figure.layers[i].shape.length === 2;
    return {
      'xaxis.visible': spatial,
      'yaxis.visible': spatial,
      'xaxis3.visible': !spatial,
      'yaxis3.visible': !spatial,
    };
  };
  const steps = figure.layers.map((layer, i) => ({
    // 'skip': the slider only reports the step; the handler below applies it, so the figure and
    // `data-layer` change together (plotly's own 'update' method runs after the change event).
    method: 'skip',
    label: `${i}:${layer.name}`,
    value: String(i),
  }));
  const showLayer = (i: number): Promise<unknown> =>
    plotly.update(
      container,
      { visible: [...figure.layers.map((_, k) => k === i), true] },
      { 'title.text': `${figure.title} — ${labelOf(i)}`, ...axisFor(i) },
    );
  const spatialStart = figure.layers[figure.start]?.shape.length === 2;
  await plotly.react(
    container,
    traces,
    {
      title: { text: `${figure.title} — ${labelOf(figure.start)}`, font: { size: 13 } },
      height: 460,
      margin: { l: 40, r: 20, t: 40, b: 10 },
      // The heatmap (x/y) and bar (x3/y3) subplots share one area; an opaque background of the
      // later subplot would hide the heatmap.
      plot_bgcolor: 'rgba(0,0,0,0)',
      xaxis: { domain: [0.42, 1], anchor: 'y', visible: spatialStart },
      yaxis: {
        domain: [0.3, 1],
        anchor: 'x',
        autorange: 'reversed',
        scaleanchor: 'x',
        visible: spatialStart,
      },
      xaxis3: { domain: [0.42, 1], anchor: 'y3', visible: !spatialStart },
      yaxis3: { domain: [0.3, 1], anchor: 'x3', visible: !spatialStart, zeroline: true },
      xaxis2: { domain: [0, 0.36], anchor: 'y2', showticklabels: false },
      yaxis2: {
        domain: [0.3, 1],
        anchor: 'x2',
        autorange: 'reversed',
        scaleanchor: 'x2',
        showticklabels: false,
      },
      sliders: [
        {
          active: figure.start,
          steps,
          currentvalue: { prefix: 'layer ', font: { size: 11 } },
          pad: { t: 10 },
          y: 0.22,
          len: 1,
        },
      ],
      showlegend: false,
    },
    { displaylogo: false },
  );
  container.dataset.layer = String(figure.start);
  const emitter = container as HTMLElement & {
    on?: (event: string, listener: (event: { step: { value: string } }) => void) => void;
  };
  let shown = Promise.resolve();
  emitter.on?.('plotly_sliderchange', (event) => {
    const index = Number(event.step.value);
    shown = shown
      .then(() => showLayer(index))
      .then(() => {
        container.dataset.layer = String(index);
      })
      .catch((error: unknown) => console.error('rlrp fallback:', error));
  });
  container.dataset.ready = 'true';
}

window.rlrpFallback = window.rlrpFallback ?? { render };
