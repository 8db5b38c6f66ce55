/**
 * RelevanceExplorer: the input and its relevance side by side (or overlaid), a layer stepper that
 * walks the trace from the output layer down to the input, rule / target / colour map selectors
 * and a relevance-mass-per-layer chart.
 *
 * Stepping layers, the channel picker, colour map, overlay and zoom only redraw data already in
 * the model. Changing rule or target sends an `explain` custom message; the kernel reruns the
 * backward pass and updates `layers` + `generation`, which redraws.
 */
import { plotly } from '../plotly-provider';
import type { PlotlyObject } from 'plotly.js-dist-min';
import {
  COLORMAP_NAMES,
  DRAWN_EVENT,
  type DrawnEventDetail,
  type ExplainRequest,
  type LayerState,
  type RelevanceExplorerState,
} from '../../src/schema';
import { colorscaleOf } from '../../src/colormaps';
import { element, ensureStyles, labelled, setOptions } from '../dom';
import { inputPicture, layoutOf, maxAbs, spatialGrid } from '../maps';
import type { Cleanup, RenderContext } from '../model';
import { toFloat32 } from '../payload';

const PLOT_CONFIG = {
  displaylogo: false,
  responsive: false,
  modeBarButtonsToRemove: ['lasso2d', 'select2d'],
};
const PLAY_INTERVAL_MS = 700;
const INPUT_WIDTH = 300;
const MAP_WIDTH = 380;
const PLOT_HEIGHT = 300;
const MASS_HEIGHT = 170;
const NEGATIVE_BAR = '#3b6fd8';
const MAX_BARS = 200;
const POSITIVE_BAR = '#d83b3b';

/** Renders a RelevanceExplorer into `el`; returns the cleanup function. */
export function renderRelevanceExplorer({
  model,
  el,
}: RenderContext<RelevanceExplorerState>): Cleanup {
  ensureStyles();
  const root = element('div', 'rlrp-widget rlrp-explorer');
  const title = element('div', 'rlrp-title');

  const ruleSelect = element('select', 'rlrp-rule');
  const targetSelect = element('select', 'rlrp-target');
  const colormapSelect = element('select', 'rlrp-colormap');
  const overlayBox = element('input', 'rlrp-overlay');
  overlayBox.type = 'checkbox';
  const opacitySlider = element('input', 'rlrp-opacity');
  Object.assign(opacitySlider, { type: 'range', min: '0', max: '1', step: '0.05' });
  const channelSelect = element('select', 'rlrp-channel');
  const channelField = labelled('channel', channelSelect);
  const toolbar = element('div', 'rlrp-toolbar');
  toolbar.append(
    labelled('rule', ruleSelect),
    labelled('target', targetSelect),
    labelled('colormap', colormapSelect),
    labelled('overlay', overlayBox),
    labelled('opacity', opacitySlider),
    channelField,
  );

  const prevButton = element('button', 'rlrp-prev', '◀');
  const nextButton = element('button', 'rlrp-next', '▶');
  const playButton = element('button', 'rlrp-play', 'play');
  const layerSlider = element('input', 'rlrp-layer-slider');
  Object.assign(layerSlider, { type: 'range', min: '0', step: '1' });
  const layerLabel = element('span', 'rlrp-layer-label');
  const stepper = element('div', 'rlrp-stepper');
  stepper.append(prevButton, layerSlider, nextButton, playButton, layerLabel);

  const inputPlot = element('div', 'rlrp-plot rlrp-input-plot');
  // Heatmaps and bar charts live in separate figures: switching a figure's trace type makes
  // plotly rebuild it from scratch, while showing the other div is free.
  const mapPlot = element('div', 'rlrp-plot rlrp-map-plot');
  const barPlot = element('div', 'rlrp-plot rlrp-bar-plot');
  barPlot.style.display = 'none';
  const plots = element('div', 'rlrp-plots');
  plots.append(inputPlot, mapPlot, barPlot);
  const massPlot = element('div', 'rlrp-mass');
  const status = element('div', 'rlrp-status');
  root.append(title, toolbar, stepper, plots, massPlot, status);
  el.appendChild(root);

  // Front-end-only view state.
  let layers: LayerState[] = [];
  let decoded: Float32Array[] = [];
  let layerIndex = 0;
  let channel: number | 'sum' = 'sum';
  let colormap: string = model.get('colormap') || 'bwr';
  let overlay = Boolean(model.get('overlay'));
  let opacity = model.get('overlay_opacity') ?? 0.6;
  let playTimer: ReturnType<typeof setInterval> | undefined;
  let requestCounter = 0;
  const pending = new Map<number, number>();
  let disposed = false;

  setOptions(
    colormapSelect,
    COLORMAP_NAMES.map((name) => ({ value: name, label: name })),
    colormap,
  );
  overlayBox.checked = overlay;
  opacitySlider.value = String(opacity);

  function emitDrawn(detail: DrawnEventDetail): void {
    root.dataset.layer = String(detail.layer);
    root.dataset.generation = String(model.get('generation'));
    el.dispatchEvent(new CustomEvent<DrawnEventDetail>(DRAWN_EVENT, { detail, bubbles: true }));
  }

  function readTrace(): void {
    layers = model.get('layers') ?? [];
    decoded = layers.map((layer) => toFloat32(layer.data));
    layerSlider.max = String(Math.max(0, layers.length - 1));
    if (layerIndex > layers.length - 1) layerIndex = Math.max(0, layers.length - 1);
  }

  function readControls(): void {
    title.textContent = model.get('title') || 'Relevance explorer';
    setOptions(ruleSelect, model.get('rules') ?? [], model.get('rule'));
    const classes = model.get('classes') ?? [];
    const options = classes.map((c) => ({
      value: String(c.index),
      label: `${c.label} — ${(c.probability * 100).toFixed(1)} %`,
    }));
    const target = String(model.get('target'));
    if (!options.some((o) => o.value === target))
      options.push({ value: target, label: `class ${target}` });
    setOptions(targetSelect, options, target);
    const busy = Boolean(model.get('busy'));
    root.classList.toggle('rlrp-busy', busy);
    ruleSelect.disabled = busy;
    targetSelect.disabled = busy;
    const error = model.get('error');
    status.classList.toggle('rlrp-error', Boolean(error));
    status.textContent = error
      ? error
      : `${model.get('rule_description') || model.get('rule')}` +
        (busy ? ' — computing…' : ` — backward pass ${model.get('backward_ms').toFixed(1)} ms`);
  }

  function updateLayerControls(): void {
    layerSlider.value = String(layerIndex);
    prevButton.disabled = layerIndex <= 0;
    nextButton.disabled = layerIndex >= layers.length - 1;
    const layer = layers[layerIndex];
    if (!layer) {
      layerLabel.textContent = 'no trace';
      return;
    }
    const position =
      layerIndex === 0 ? 'output' : layerIndex === layers.length - 1 ? 'input' : 'hidden';
    layerLabel.textContent =
      `${layerIndex + 1}/${layers.length} ${layer.name} (${layer.class_name}) ` +
      `[${layer.shape.join('×')}] ${position} ΣR=${layer.sum.toPrecision(4)}` +
      (layer.vanished ? ' vanished' : '');
    const layout = layoutOf(layer.shape);
    const showChannels = layout.kind === 'spatial' && layout.channels > 1;
    channelField.style.display = showChannels ? '' : 'none';
    if (showChannels && layout.kind === 'spatial') {
      if (channel !== 'sum' && channel >= layout.channels) channel = 'sum';
      const options = [{ value: 'sum', label: `sum of ${layout.channels}` }];
      for (let c = 0; c < layout.channels; c++) options.push({ value: String(c), label: `#${c}` });
      setOptions(channelSelect, options, String(channel));
    }
    overlayBox.disabled = layout.kind !== 'spatial';
  }

  function inputTraces(): PlotlyObject[] {
    const input = model.get('input');
    const picture = inputPicture(toFloat32(input.data), input.shape, input.range);
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

  // Explicit sizes: views are often drawn before their element is attached (html-manager, the
  // nbextension), when plotly's autosize would fall back to 700×450.
  function imageLayout(heading: string, width = MAP_WIDTH): PlotlyObject {
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

  // The input never changes; it is drawn once and again only when it becomes visible.
  let inputDrawn = false;
  async function drawInput(): Promise<void> {
    const hidden = overlay && isSpatial();
    inputPlot.style.display = hidden ? 'none' : '';
    if (hidden || inputDrawn) return;
    inputDrawn = true;
    await plotly().react(inputPlot, inputTraces(), imageLayout('input', INPUT_WIDTH), PLOT_CONFIG);
  }

  function isSpatial(): boolean {
    const layer = layers[layerIndex];
    return Boolean(layer) && layoutOf(layer.shape).kind === 'spatial';
  }

  async function drawLayer(): Promise<void> {
    const layer = layers[layerIndex];
    if (!layer) {
      plotly().purge(mapPlot);
      plotly().purge(barPlot);
      return;
    }
    const values = decoded[layerIndex];
    const layout = layoutOf(layer.shape);
    const heading = `${layer.name} (${layer.class_name})`;
    barPlot.style.display = layout.kind === 'dense' ? '' : 'none';
    mapPlot.style.display = layout.kind === 'dense' ? 'none' : '';
    root.dataset.layerKind = layout.kind;
    if (layout.kind === 'dense') {
      const labels = layerIndex === 0 ? classLabels(layout.units) : undefined;
      const y = Array.from(values.subarray(0, layout.units));
      const x = labels ?? y.map((_, i) => i);
      const hovertemplate = 'neuron %{x}<br>R = %{y:.4g}<extra></extra>';
      // Hundreds of SVG bars take plotly ~100 ms; wide layers (e.g. a Flatten) are drawn as two
      // filled step lines (positive red, negative blue), which look the same and draw at once.
      const traces =
        layout.units <= MAX_BARS
          ? [
              {
                type: 'bar',
                x,
                y,
                marker: { color: y.map((v) => (v >= 0 ? POSITIVE_BAR : NEGATIVE_BAR)) },
                hovertemplate,
              },
            ]
          : [
              { sign: 1, color: POSITIVE_BAR },
              { sign: -1, color: NEGATIVE_BAR },
            ].map(({ sign, color }) => ({
              type: 'scatter',
              mode: 'lines',
              x,
              y: y.map((v) => (v * sign > 0 ? v : 0)),
              line: { shape: 'hvh', width: 1, color },
              fill: 'tozeroy',
              fillcolor: color,
              hovertemplate,
              showlegend: false,
            }));
      await plotly().react(
        barPlot,
        traces,
        {
          width: MAP_WIDTH,
          height: PLOT_HEIGHT,
          title: { text: heading, font: { size: 12 } },
          margin: { l: 45, r: 10, t: 30, b: 30 },
          xaxis: { type: labels ? 'category' : 'linear' },
          yaxis: { zeroline: true },
          uirevision: `dense-${layerIndex}`,
        },
        PLOT_CONFIG,
      );
      return;
    }
    const grid = spatialGrid(values, layout.height, layout.width, layout.channels, channel);
    const bound = maxAbs(grid);
    const heat: PlotlyObject = {
      type: 'heatmap',
      z: grid,
      colorscale: colorscaleOf(colormap),
      zmin: -bound,
      zmax: bound,
      zmid: 0,
      hovertemplate: 'x %{x}, y %{y}<br>R = %{z:.4g}<extra></extra>',
      colorbar: { thickness: 10 },
    };
    if (!overlay) {
      await plotly().react(mapPlot, [heat], imageLayout(heading), PLOT_CONFIG);
      return;
    }
    // Overlay: stretch the (possibly coarser) relevance map over the input's pixel grid.
    const input = model.get('input');
    const scaleX = (input.shape[1] ?? layout.width) / layout.width;
    const scaleY = input.shape[0] / layout.height;
    Object.assign(heat, {
      opacity,
      dx: scaleX,
      dy: scaleY,
      x0: (scaleX - 1) / 2,
      y0: (scaleY - 1) / 2,
    });
    await plotly().react(
      mapPlot,
      [...inputTraces(), heat],
      imageLayout(`${heading} over input`),
      PLOT_CONFIG,
    );
  }

  function classLabels(units: number): string[] | undefined {
    const classes = model.get('classes') ?? [];
    if (classes.length === 0) return undefined;
    const byIndex = new Map(classes.map((c) => [c.index, c.label]));
    return Array.from({ length: units }, (_, i) => byIndex.get(i) ?? String(i));
  }

  async function drawMass(): Promise<void> {
    const x = layers.map((l, i) => `${i}:${l.name}`);
    await plotly().react(
      massPlot,
      [
        {
          type: 'bar',
          name: 'Σ|R|',
          x,
          y: layers.map((l) => l.mass),
          marker: { color: layers.map((_, i) => (i === layerIndex ? '#ff7f0e' : '#9ab')) },
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
      {
        width: INPUT_WIDTH + MAP_WIDTH + 8,
        height: MASS_HEIGHT,
        title: { text: 'relevance mass per layer (output → input)', font: { size: 11 } },
        margin: { l: 45, r: 10, t: 25, b: 40 },
        showlegend: true,
        legend: { orientation: 'h', x: 1, xanchor: 'right', y: 1.2 },
        xaxis: { tickfont: { size: 9 } },
      },
      { ...PLOT_CONFIG, displayModeBar: false },
    );
  }

  async function highlightMass(): Promise<void> {
    if (!massPlot.classList.contains('js-plotly-plot')) return;
    await plotly().restyle(
      massPlot,
      { 'marker.color': [layers.map((_, i) => (i === layerIndex ? '#ff7f0e' : '#9ab'))] },
      [0],
    );
  }

  async function redraw(
    reason: DrawnEventDetail['reason'],
    started: number,
    requestId = 0,
  ): Promise<void> {
    const drawStart = performance.now();
    updateLayerControls();
    if (reason === 'layer-step') {
      await Promise.all([drawLayer(), highlightMass(), drawInput()]);
    } else {
      await Promise.all([drawInput(), drawLayer(), drawMass()]);
    }
    // Count until the next frame, so the time covers the browser painting the new figure.
    await new Promise((resolve) => requestAnimationFrame(resolve));
    if (disposed) return;
    emitDrawn({
      reason,
      layer: layerIndex,
      ms: performance.now() - started,
      request_id: requestId,
      draw_ms: performance.now() - drawStart,
    });
  }

  function stepTo(index: number): void {
    const started = performance.now();
    const clamped = Math.min(Math.max(index, 0), layers.length - 1);
    if (clamped === layerIndex) return;
    layerIndex = clamped;
    void redraw('layer-step', started);
  }

  function requestTrace(rule: string, target: number): void {
    const request: ExplainRequest = { type: 'explain', rule, target, request_id: ++requestCounter };
    pending.set(request.request_id, performance.now());
    root.classList.add('rlrp-busy');
    status.textContent = `${rule}: computing…`;
    model.send(request);
  }

  function stopPlaying(): void {
    if (playTimer !== undefined) clearInterval(playTimer);
    playTimer = undefined;
    playButton.textContent = 'play';
  }

  // Wire the controls.
  layerSlider.addEventListener('input', () => stepTo(Number(layerSlider.value)));
  prevButton.addEventListener('click', () => stepTo(layerIndex - 1));
  nextButton.addEventListener('click', () => stepTo(layerIndex + 1));
  playButton.addEventListener('click', () => {
    if (playTimer !== undefined) {
      stopPlaying();
      return;
    }
    playButton.textContent = 'pause';
    if (layerIndex >= layers.length - 1) stepTo(0);
    playTimer = setInterval(() => {
      if (layerIndex >= layers.length - 1) stopPlaying();
      else stepTo(layerIndex + 1);
    }, PLAY_INTERVAL_MS);
  });
  channelSelect.addEventListener('change', () => {
    const started = performance.now();
    channel = channelSelect.value === 'sum' ? 'sum' : Number(channelSelect.value);
    void redraw('style', started);
  });
  colormapSelect.addEventListener('change', () => {
    const started = performance.now();
    colormap = colormapSelect.value;
    void redraw('style', started);
  });
  overlayBox.addEventListener('change', () => {
    const started = performance.now();
    overlay = overlayBox.checked;
    void redraw('style', started);
  });
  opacitySlider.addEventListener('input', () => {
    const started = performance.now();
    opacity = Number(opacitySlider.value);
    if (overlay) void redraw('style', started);
  });
  ruleSelect.addEventListener('change', () =>
    requestTrace(ruleSelect.value, Number(targetSelect.value)),
  );
  targetSelect.addEventListener('change', () =>
    requestTrace(ruleSelect.value, Number(targetSelect.value)),
  );

  const onTrace = (): void => {
    const requestId = model.get('request_id');
    const started = pending.get(requestId);
    pending.delete(requestId);
    readTrace();
    readControls();
    void redraw('trace-update', started ?? performance.now(), requestId);
  };
  const onControls = (): void => readControls();
  model.on('change:generation', onTrace);
  model.on('change:busy', onControls);
  model.on('change:error', onControls);

  readTrace();
  readControls();
  layerIndex = Math.max(0, layers.length - 1); // start at the input relevance
  void redraw('initial', performance.now());

  return () => {
    disposed = true;
    stopPlaying();
    model.off('change:generation', onTrace);
    model.off('change:busy', onControls);
    model.off('change:error', onControls);
    for (const plot of [inputPlot, mapPlot, barPlot, massPlot]) plotly().purge(plot);
    root.remove();
  };
}
