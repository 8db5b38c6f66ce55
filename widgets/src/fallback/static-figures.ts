/**
 * Static plotly figures for the text/html fallbacks of RuleComparison and EvaluationPlot (the
 * RelevanceExplorer's fallback has its own runtime with a layer slider).
 */
import { methodColours } from '../method-colors';
import { colorscaleOf } from '../colormaps';
import type { EvaluationPanel } from '../schema';
import type { PlotlyFigure } from './fallback-html';

/** A map of the rule grid: `[H, W]` values. */
export interface GridMap {
  label: string;
  shape: number[];
  data: Float32Array;
}

function rows(values: Float32Array, height: number, width: number): number[][] {
  const out: number[][] = [];
  for (let y = 0; y < height; y++)
    out.push(Array.from(values.subarray(y * width, (y + 1) * width)));
  return out;
}

/** The rule grid on one shared symmetric colour scale. */
export function ruleGridFigure(
  title: string,
  maps: readonly GridMap[],
  colormap: string,
  columns: number,
): PlotlyFigure {
  let bound = 1e-12;
  for (const m of maps) for (const v of m.data) bound = Math.max(bound, Math.abs(v));
  const cols = Math.max(1, Math.min(columns, maps.length));
  const gridRows = Math.ceil(maps.length / cols);
  const layout: Record<string, unknown> = {
    title: { text: title, font: { size: 13 } },
    grid: { rows: gridRows, columns: cols, pattern: 'independent', xgap: 0.08, ygap: 0.15 },
    height: gridRows * 220 + 60,
    width: cols * 220 + 80,
    coloraxis: { colorscale: colorscaleOf(colormap), cmin: -bound, cmax: bound },
    annotations: [],
  };
  const annotations = layout.annotations as Record<string, unknown>[];
  const data = maps.map((m, i) => {
    const n = i === 0 ? '' : String(i + 1);
    layout[`xaxis${n}`] = { showticklabels: false, constrain: 'domain' };
    layout[`yaxis${n}`] = {
      showticklabels: false,
      autorange: 'reversed',
      scaleanchor: `x${n}`,
      constrain: 'domain',
    };
    annotations.push({
      text: m.label,
      xref: `x${n} domain`,
      yref: `y${n} domain`,
      x: 0.5,
      y: 1.1,
      showarrow: false,
    });
    return {
      type: 'heatmap',
      z: rows(m.data, m.shape[0], m.shape[1] ?? 1),
      coloraxis: 'coloraxis',
      xaxis: `x${n}`,
      yaxis: `y${n}`,
      hovertemplate: `${m.label}<br>R = %{z:.4g}<extra></extra>`,
    };
  });
  return { data, layout };
}

/** Evaluation panels side by side, one line per method, one colour per method. */
export function evaluationFigure(title: string, panels: readonly EvaluationPanel[]): PlotlyFigure {
  const colourOf = methodColours(panels);
  const n = Math.max(1, panels.length);
  const layout: Record<string, unknown> = {
    title: { text: title, font: { size: 13 } },
    grid: { rows: 1, columns: n, pattern: 'independent' },
    height: 380,
    annotations: [],
  };
  const data: Record<string, unknown>[] = [];
  panels.forEach((panel, i) => {
    const k = i === 0 ? '' : String(i + 1);
    layout[`xaxis${k}`] = { title: { text: panel.x_label } };
    layout[`yaxis${k}`] = { title: { text: panel.y_label } };
    (layout.annotations as Record<string, unknown>[]).push({
      text: panel.title,
      xref: `x${k} domain`,
      yref: `y${k} domain`,
      x: 0.5,
      y: 1.08,
      showarrow: false,
    });
    for (const s of panel.series) {
      data.push({
        type: 'scatter',
        mode: 'lines+markers',
        name: s.method,
        legendgroup: s.method,
        showlegend: i === 0,
        x: s.x,
        y: s.y,
        xaxis: `x${k}`,
        yaxis: `y${k}`,
        line: { color: colourOf(s.method) },
      });
    }
  });
  return { data, layout };
}
