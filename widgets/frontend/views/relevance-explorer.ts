/**
 * RelevanceExplorer view, the DOM wiring: the input and its relevance side by side (or
 * overlaid), a layer stepper from the output layer down to the input, rule / target / colour map
 * / channel selectors and the relevance mass per layer. The figures come from
 * `explorer-figures.ts`.
 *
 * Stepping layers, colour map, overlay and zoom only redraw data already in the model. A channel
 * is fetched from the kernel when picked (the state carries channel sums only). Changing rule or
 * target sends an `explain` custom message; the kernel reruns the backward pass and updates
 * `layers` + `generation`, which redraws. Without a kernel (exported HTML, the text/html
 * fallback) what needs one is disabled and says so.
 */
import { plotly } from '../plotly-provider';
import {
  COLORMAP_NAMES,
  DRAWN_EVENT,
  type ChannelReply,
  type ChannelRequest,
  type DrawnEventDetail,
  type ExplainRequest,
  type LayerState,
  type RelevanceExplorerState,
} from '../../src/schema';
import { element, ensureStyles, labelled, setOptions } from '../dom';
import { layoutOf } from '../maps';
import type { Cleanup, RenderContext } from '../model';
import { toFloat32 } from '../payload';
import { hasKernel } from '../read-only-model';
import {
  channelOptions,
  classLabels,
  denseFigure,
  inputFigure,
  layerHeading,
  layerLabel,
  massColours,
  massFigure,
  ruleMenu,
  spatialFigure,
  targetOptions,
  type Figure,
} from './explorer-figures';

const PLOT_CONFIG = {
  displaylogo: false,
  responsive: false,
  modeBarButtonsToRemove: ['lasso2d', 'select2d'],
};
const PLAY_INTERVAL_MS = 700;
/** Said wherever a control needs the kernel and there is none. */
export const NEEDS_KERNEL = 'needs a running kernel';

/** Renders a RelevanceExplorer into `el`; returns the cleanup function. */
export function renderRelevanceExplorer({
  model,
  el,
}: RenderContext<RelevanceExplorerState>): Cleanup {
  ensureStyles();
  const live = hasKernel(model);
  const root = element('div', 'rlrp-widget rlrp-explorer');
  const title = element('div', 'rlrp-title');

  const ruleSelect = element('select', 'rlrp-rule');
  const targetSelect = element('select', 'rlrp-target');
  const targetSearch = element('input', 'rlrp-target-search');
  Object.assign(targetSearch, { type: 'search', placeholder: 'find a class', size: 10 });
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
    targetSearch,
    labelled('colormap', colormapSelect),
    labelled('overlay', overlayBox),
    labelled('opacity', opacitySlider),
    channelField,
  );
  for (const control of [ruleSelect, targetSelect, targetSearch, channelSelect]) {
    control.disabled = !live;
    if (!live) control.title = NEEDS_KERNEL;
  }

  const prevButton = element('button', 'rlrp-prev', '◀');
  const nextButton = element('button', 'rlrp-next', '▶');
  const playButton = element('button', 'rlrp-play', 'play');
  const layerSlider = element('input', 'rlrp-layer-slider');
  Object.assign(layerSlider, { type: 'range', min: '0', step: '1' });
  const layerLabelNode = element('span', 'rlrp-layer-label');
  const stepper = element('div', 'rlrp-stepper');
  stepper.append(prevButton, layerSlider, nextButton, playButton, layerLabelNode);

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
  /** The newest explain request sent and not answered yet (a newer one supersedes it). */
  let awaited: { id: number; rule: string; started: number } | undefined;
  /** Channels fetched for the current trace, by `layer:channel`. */
  const channels = new Map<string, Float32Array>();
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
    channels.clear();
    layerSlider.max = String(Math.max(0, layers.length - 1));
    if (layerIndex > layers.length - 1) layerIndex = Math.max(0, layers.length - 1);
  }

  function fillTargets(): void {
    const target = Number(model.get('target'));
    setOptions(
      targetSelect,
      targetOptions(model.get('classes') ?? [], target, targetSearch.value),
      String(target),
    );
  }

  function readControls(): void {
    title.textContent = model.get('title') || 'Relevance explorer';
    const description = model.get('rule_description');
    setOptions(
      ruleSelect,
      ruleMenu(model.get('rules') ?? [], model.get('rule'), description),
      model.get('rule'),
    );
    fillTargets();
    const busy = Boolean(model.get('busy')) || awaited !== undefined;
    root.classList.toggle('rlrp-busy', busy);
    const error = model.get('error');
    status.classList.toggle('rlrp-error', Boolean(error));
    if (error) status.textContent = error;
    else if (awaited) status.textContent = `${awaited.rule}: computing…`;
    else if (!live) status.textContent = `${description} — rule and target: ${NEEDS_KERNEL}`;
    else
      status.textContent =
        `${description || model.get('rule')}` +
        (busy ? ' — computing…' : ` — backward pass ${model.get('backward_ms').toFixed(1)} ms`);
  }

  function updateLayerControls(): void {
    layerSlider.value = String(layerIndex);
    prevButton.disabled = layerIndex <= 0;
    nextButton.disabled = layerIndex >= layers.length - 1;
    layerLabelNode.textContent = layerLabel(layers, layerIndex);
    const layer = layers[layerIndex];
    const layout = layer ? layoutOf(layer.shape) : undefined;
    const showChannels = layout?.kind === 'spatial' && layout.channels > 1;
    channelField.style.display = showChannels ? '' : 'none';
    if (showChannels && layout?.kind === 'spatial') {
      if (channel !== 'sum' && channel >= layout.channels) channel = 'sum';
      setOptions(channelSelect, channelOptions(layout.channels), String(channel));
    }
    overlayBox.disabled = layout?.kind !== 'spatial';
  }

  // The input never changes; it is drawn once and again only when it becomes visible.
  let inputDrawn = false;
  async function drawInput(): Promise<void> {
    const hidden = overlay && isSpatial();
    inputPlot.style.display = hidden ? 'none' : '';
    if (hidden || inputDrawn) return;
    inputDrawn = true;
    const figure = inputFigure(model.get('input'));
    await plotly().react(inputPlot, figure.traces, figure.layout, PLOT_CONFIG);
  }

  function isSpatial(): boolean {
    const layer = layers[layerIndex];
    return Boolean(layer) && layoutOf(layer.shape).kind === 'spatial';
  }

  /** The values to draw for the shown layer: a fetched channel, else the channel sum. */
  function shownValues(): { values: Float32Array; channel: number | 'sum' } {
    if (channel !== 'sum') {
      const fetched = channels.get(`${layerIndex}:${channel}`);
      if (fetched) return { values: fetched, channel };
    }
    return { values: decoded[layerIndex], channel: 'sum' };
  }

  function layerFigure(layer: LayerState): Figure {
    const layout = layoutOf(layer.shape);
    const shown = shownValues();
    const heading = layerHeading(layer, shown.channel);
    if (layout.kind === 'dense') {
      const labels =
        layerIndex === 0 ? classLabels(model.get('classes') ?? [], layout.units) : undefined;
      return denseFigure(shown.values, heading, labels, `dense-${layerIndex}`);
    }
    return spatialFigure(shown.values, layout, heading, model.get('input'), {
      colormap,
      overlayOpacity: overlay ? opacity : undefined,
    });
  }

  async function drawLayer(): Promise<void> {
    const layer = layers[layerIndex];
    if (!layer) {
      plotly().purge(mapPlot);
      plotly().purge(barPlot);
      return;
    }
    const kind = layoutOf(layer.shape).kind;
    barPlot.style.display = kind === 'dense' ? '' : 'none';
    mapPlot.style.display = kind === 'dense' ? 'none' : '';
    root.dataset.layerKind = kind;
    const figure = layerFigure(layer);
    await plotly().react(
      kind === 'dense' ? barPlot : mapPlot,
      figure.traces,
      figure.layout,
      PLOT_CONFIG,
    );
  }

  async function drawMass(): Promise<void> {
    const figure = massFigure(layers, layerIndex);
    await plotly().react(massPlot, figure.traces, figure.layout, {
      ...PLOT_CONFIG,
      displayModeBar: false,
    });
  }

  async function highlightMass(): Promise<void> {
    if (!massPlot.classList.contains('js-plotly-plot')) return;
    await plotly().restyle(massPlot, { 'marker.color': [massColours(layers, layerIndex)] }, [0]);
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
    requestChannelIfMissing();
    void redraw('layer-step', started);
  }

  function requestTrace(rule: string, target: number): void {
    const request: ExplainRequest = { type: 'explain', rule, target, request_id: ++requestCounter };
    // A newer request supersedes an unanswered one: the kernel computes only the newest.
    awaited = { id: request.request_id, rule, started: performance.now() };
    readControls();
    model.send(request);
  }

  /** Asks the kernel for the picked channel of the shown layer when it is not here yet. */
  function requestChannelIfMissing(): void {
    if (channel === 'sum' || !live || channels.has(`${layerIndex}:${channel}`)) return;
    if (!isSpatial()) return;
    const request: ChannelRequest = {
      type: 'channel',
      layer: layerIndex,
      channel,
      generation: model.get('generation'),
    };
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
    requestChannelIfMissing();
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
  targetSearch.addEventListener('input', fillTargets);

  const onTrace = (): void => {
    const requestId = model.get('request_id');
    let started = performance.now();
    if (awaited && requestId >= awaited.id) {
      started = awaited.started;
      awaited = undefined;
    }
    readTrace();
    readControls();
    requestChannelIfMissing();
    void redraw('trace-update', started, requestId);
  };
  const onControls = (): void => {
    // An error answers the awaited request too.
    if (model.get('error') && awaited && model.get('request_id') >= awaited.id) awaited = undefined;
    readControls();
  };
  const onCustom = (content: unknown, buffers?: unknown): void => {
    const reply = content as Partial<ChannelReply> | null;
    const buffer = Array.isArray(buffers) ? (buffers[0] as DataView | ArrayBuffer) : undefined;
    if (reply?.type !== 'channel' || buffer === undefined) return;
    if (reply.generation !== model.get('generation')) return; // for a trace no longer shown
    channels.set(`${reply.layer}:${reply.channel}`, toFloat32(buffer));
    if (reply.layer === layerIndex && reply.channel === channel)
      void redraw('style', performance.now());
  };
  model.on('change:generation', onTrace);
  model.on('change:busy', onControls);
  model.on('change:error', onControls);
  model.on('msg:custom', onCustom as (...args: unknown[]) => void);

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
    model.off('msg:custom', onCustom as (...args: unknown[]) => void);
    for (const plot of [inputPlot, mapPlot, barPlot, massPlot]) plotly().purge(plot);
    root.remove();
  };
}
