/**
 * EvaluationPlot: one chart per metric (keep-top-k accuracy, deletion, insertion, …), one line per
 * explanation method, the same colour for a method in every chart. A legend click hides or shows
 * a method in every chart at once.
 */
import type { PlotlyObject } from 'plotly.js-dist-min';
import { plotly } from '../plotly-provider';
import {
  DRAWN_EVENT,
  type DrawnEventDetail,
  type EvaluationPanel,
  type EvaluationPlotState,
} from '../../src/schema';
import { element, ensureStyles } from '../dom';
import type { Cleanup, RenderContext } from '../model';
import { methodColours } from '../../src/method-colors';

/** What plotly passes to a `plotly_legendclick` listener (the parts used here). */
interface LegendClick {
  curveNumber: number;
  data: { legendgroup?: string }[];
}

type LegendHost = HTMLElement & {
  on?: (event: 'plotly_legendclick', listener: (event: LegendClick) => boolean) => void;
};

/** One panel's figure; methods in `hidden` are shown in the legend only. */
export function panelFigure(
  panel: EvaluationPanel,
  colourOf: (method: string) => string,
  hidden: ReadonlySet<string>,
): { traces: PlotlyObject[]; layout: PlotlyObject } {
  return {
    traces: panel.series.map((s) => ({
      type: 'scatter',
      mode: 'lines+markers',
      name: s.auc === undefined ? s.method : `${s.method} (AUC ${s.auc.toFixed(3)})`,
      legendgroup: s.method,
      visible: hidden.has(s.method) ? 'legendonly' : true,
      x: s.x,
      y: s.y,
      line: { color: colourOf(s.method) },
      marker: { size: 4 },
      hovertemplate: `${s.method}<br>%{x}: %{y:.4g}<extra></extra>`,
    })),
    layout: {
      title: { text: panel.title, font: { size: 12 } },
      // automargin makes room for tick labels and titles, so the y title is never clipped; the
      // legend sits below the x title, anchored by its top edge.
      margin: { l: 60, r: 10, t: 30, b: 40 },
      xaxis: { title: { text: panel.x_label, standoff: 6 }, automargin: true },
      yaxis: { title: { text: panel.y_label, standoff: 6 }, automargin: true },
      legend: { orientation: 'h', x: 0, y: -0.32, yanchor: 'top', font: { size: 10 } },
      width: 420,
      height: 400,
    },
  };
}

/** Renders an EvaluationPlot into `el`; returns the cleanup function. */
export function renderEvaluationPlot({ model, el }: RenderContext<EvaluationPlotState>): Cleanup {
  ensureStyles();
  const root = element('div', 'rlrp-widget rlrp-evaluation');
  const title = element('div', 'rlrp-title');
  const charts = element('div', 'rlrp-plots');
  root.append(title, charts);
  el.appendChild(root);
  let plots: HTMLDivElement[] = [];
  const hidden = new Set<string>();

  /** Shows or hides `method` in every panel. */
  async function toggle(method: string): Promise<void> {
    if (hidden.has(method)) hidden.delete(method);
    else hidden.add(method);
    const panels = model.get('panels') ?? [];
    await Promise.all(
      panels.map((panel, i) =>
        plotly().restyle(plots[i], {
          visible: panel.series.map((s) => (hidden.has(s.method) ? 'legendonly' : true)),
        }),
      ),
    );
    root.dataset.hidden = [...hidden].join(',');
  }

  async function draw(reason: DrawnEventDetail['reason'], started: number): Promise<void> {
    title.textContent = model.get('title') || 'Evaluation';
    const panels = model.get('panels') ?? [];
    const colourOf = methodColours(panels);
    plots.forEach((p) => plotly().purge(p));
    plots = panels.map(() => element('div', 'rlrp-plot rlrp-evaluation-panel'));
    charts.replaceChildren(...plots);
    await Promise.all(
      panels.map(async (panel, i) => {
        const figure = panelFigure(panel, colourOf, hidden);
        await plotly().react(plots[i], figure.traces, figure.layout, { displaylogo: false });
        (plots[i] as LegendHost).on?.('plotly_legendclick', (event) => {
          const method = event.data[event.curveNumber]?.legendgroup;
          if (method !== undefined) void toggle(method);
          return false; // handled here, for every panel at once
        });
      }),
    );
    root.dataset.panels = String(panels.length);
    el.dispatchEvent(
      new CustomEvent<DrawnEventDetail>(DRAWN_EVENT, {
        detail: { reason, layer: -1, ms: performance.now() - started, request_id: 0 },
        bubbles: true,
      }),
    );
  }

  const onChange = (): void => void draw('trace-update', performance.now());
  model.on('change:panels', onChange);
  void draw('initial', performance.now());
  return () => {
    model.off('change:panels', onChange);
    plots.forEach((p) => plotly().purge(p));
    root.remove();
  };
}
