/**
 * EvaluationPlot: one chart per metric (keep-top-k accuracy, deletion, insertion, …), one line per
 * explanation method, the same colour for a method in every chart.
 */
import { plotly } from '../plotly-provider';
import { DRAWN_EVENT, type DrawnEventDetail, type EvaluationPlotState } from '../../src/schema';
import { element, ensureStyles } from '../dom';
import type { Cleanup, RenderContext } from '../model';
import { methodColours } from '../../src/method-colors';

/** Renders an EvaluationPlot into `el`; returns the cleanup function. */
export function renderEvaluationPlot({ model, el }: RenderContext<EvaluationPlotState>): Cleanup {
  ensureStyles();
  const root = element('div', 'rlrp-widget rlrp-evaluation');
  const title = element('div', 'rlrp-title');
  const charts = element('div', 'rlrp-plots');
  root.append(title, charts);
  el.appendChild(root);
  let plots: HTMLDivElement[] = [];

  async function draw(reason: DrawnEventDetail['reason'], started: number): Promise<void> {
    title.textContent = model.get('title') || 'Evaluation';
    const panels = model.get('panels') ?? [];
    const colourOf = methodColours(panels);
    plots.forEach((p) => plotly().purge(p));
    plots = panels.map(() => element('div', 'rlrp-plot rlrp-evaluation-panel'));
    charts.replaceChildren(...plots);
    await Promise.all(
      panels.map((panel, i) =>
        plotly().react(
          plots[i],
          panel.series.map((s) => ({
            type: 'scatter',
            mode: 'lines+markers',
            name: s.auc === undefined ? s.method : `${s.method} (AUC ${s.auc.toFixed(3)})`,
            legendgroup: s.method,
            x: s.x,
            y: s.y,
            line: { color: colourOf(s.method) },
            marker: { size: 4 },
            hovertemplate: `${s.method}<br>%{x}: %{y:.4g}<extra></extra>`,
          })),
          {
            title: { text: panel.title, font: { size: 12 } },
            margin: { l: 45, r: 10, t: 30, b: 40 },
            xaxis: { title: { text: panel.x_label } },
            yaxis: { title: { text: panel.y_label } },
            legend: { orientation: 'h', y: -0.3, font: { size: 10 } },
            width: 420,
            height: 340,
          },
          { displaylogo: false },
        ),
      ),
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
