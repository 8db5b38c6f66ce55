/**
 * RuleComparison: the input and one heatmap per rule in a grid, all on one shared symmetric
 * colour scale (so the rules' magnitudes compare directly). Colour map is front-end only.
 */
import { plotly } from '../plotly-provider';
import type { PlotlyObject } from 'plotly.js-dist-min';
import {
  COLORMAP_NAMES,
  DRAWN_EVENT,
  type DrawnEventDetail,
  type RuleComparisonState,
} from '../../src/schema';
import { colorscaleOf } from '../../src/colormaps';
import { element, ensureStyles, labelled, setOptions } from '../dom';
import { inputPicture, layoutOf, maxAbs, spatialGrid } from '../maps';
import type { Cleanup, RenderContext } from '../model';
import { imageValues, toFloat32 } from '../payload';

const CELL_PX = 220;

/** Renders a RuleComparison into `el`; returns the cleanup function. */
export function renderRuleComparison({ model, el }: RenderContext<RuleComparisonState>): Cleanup {
  ensureStyles();
  const root = element('div', 'rlrp-widget rlrp-comparison');
  const title = element('div', 'rlrp-title');
  const colormapSelect = element('select', 'rlrp-colormap');
  const toolbar = element('div', 'rlrp-toolbar');
  toolbar.append(labelled('colormap', colormapSelect));
  const plot = element('div', 'rlrp-plot-wide rlrp-grid-plot');
  root.append(title, toolbar, plot);
  el.appendChild(root);
  let colormap: string = model.get('colormap') || 'bwr';
  setOptions(
    colormapSelect,
    COLORMAP_NAMES.map((n) => ({ value: n, label: n })),
    colormap,
  );

  async function draw(reason: DrawnEventDetail['reason'], started: number): Promise<void> {
    title.textContent =
      model.get('title') || `Rules compared — target ${model.get('target_label')}`;
    const maps = model.get('maps') ?? [];
    const grids = maps.map((m) => {
      const layout = layoutOf(m.shape);
      if (layout.kind !== 'spatial')
        throw new Error(`rule map ${m.rule} is not spatial: [${m.shape}]`);
      return spatialGrid(toFloat32(m.data), layout.height, layout.width, layout.channels, 'sum');
    });
    // One symmetric bound over every map: the shared colour scale.
    const bound = Math.max(...grids.map((g) => maxAbs(g)), 1e-12);
    const cells = maps.length + 1;
    const columns = Math.max(1, Math.min(model.get('columns') || 4, cells));
    const rows = Math.ceil(cells / columns);
    const input = model.get('input');
    const picture = inputPicture(imageValues(input), input.shape, input.range);
    const traces: PlotlyObject[] = [];
    const layout: PlotlyObject = {
      grid: { rows, columns, pattern: 'independent', xgap: 0.08, ygap: 0.15 },
      height: rows * CELL_PX + 40,
      width: columns * CELL_PX + 80,
      margin: { l: 20, r: 60, t: 30, b: 10 },
      coloraxis: {
        colorscale: colorscaleOf(colormap),
        cmin: -bound,
        cmax: bound,
        colorbar: { thickness: 12 },
      },
      annotations: [] as PlotlyObject[],
      showlegend: false,
    };
    const annotations = layout.annotations as PlotlyObject[];
    const axisIds = (cell: number): { x: string; y: string; xa: string; ya: string } => {
      const n = cell === 0 ? '' : String(cell + 1);
      return { x: `x${n}`, y: `y${n}`, xa: `xaxis${n}`, ya: `yaxis${n}` };
    };
    const addCell = (cell: number, trace: PlotlyObject, label: string): void => {
      const ids = axisIds(cell);
      traces.push({ ...trace, xaxis: ids.x, yaxis: ids.y });
      layout[ids.xa] = { showticklabels: false, constrain: 'domain' };
      layout[ids.ya] = {
        showticklabels: false,
        autorange: 'reversed',
        scaleanchor: ids.x,
        constrain: 'domain',
      };
      annotations.push({
        text: label,
        xref: `${ids.x} domain`,
        yref: `${ids.y} domain`,
        x: 0.5,
        y: 1.08,
        showarrow: false,
        font: { size: 11 },
      });
    };
    addCell(
      0,
      picture.kind === 'rgb'
        ? { type: 'image', z: picture.z }
        : {
            type: 'heatmap',
            z: picture.z,
            colorscale: colorscaleOf('gray'),
            showscale: false,
            zmin: input.range[0],
            zmax: input.range[1],
            hovertemplate: 'input %{z:.3g}<extra></extra>',
          },
      'input',
    );
    maps.forEach((m, i) =>
      addCell(
        i + 1,
        {
          type: 'heatmap',
          z: grids[i],
          coloraxis: 'coloraxis',
          hovertemplate: `${m.label}<br>x %{x}, y %{y}<br>R = %{z:.4g}<extra></extra>`,
        },
        `${m.label} (ΣR=${m.sum.toPrecision(3)})`,
      ),
    );
    await plotly().react(plot, traces, layout, { displaylogo: false });
    root.dataset.maps = String(maps.length);
    el.dispatchEvent(
      new CustomEvent<DrawnEventDetail>(DRAWN_EVENT, {
        detail: { reason, layer: -1, ms: performance.now() - started, request_id: 0 },
        bubbles: true,
      }),
    );
  }

  colormapSelect.addEventListener('change', () => {
    const started = performance.now();
    colormap = colormapSelect.value;
    void draw('style', started);
  });
  const onChange = (): void => void draw('trace-update', performance.now());
  model.on('change:maps', onChange);
  void draw('initial', performance.now());
  return () => {
    model.off('change:maps', onChange);
    plotly().purge(plot);
    root.remove();
  };
}
