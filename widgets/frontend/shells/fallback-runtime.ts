/**
 * Runtime of the interactive `text/html` fallback: draws the widget with the same views as the
 * live front ends, over a read-only model of the saved state embedded in the HTML (as
 * @jupyter-widgets/html-manager does), then hides the static snapshot. Bundled as an IIFE that
 * installs `window.rlrpFallback`; each fallback output calls `rlrpFallback.render(id)` (Jupyter
 * inserts outputs with innerHTML + eval, so there is no `document.currentScript` to find the data
 * by). plotly.js comes from the page (`window.Plotly`).
 */
import type { PlotlyApi } from 'plotly.js-dist-min';
import type { WidgetKind } from '../../src/schema';
import { renderByKind } from '../index';
import { providePlotly } from '../plotly-provider';
import { readOnlyModel } from '../read-only-model';

declare global {
  interface Window {
    Plotly?: PlotlyApi;
    rlrpFallback?: { render(id: string): Promise<void> };
  }
}

async function render(id: string): Promise<void> {
  const container = document.getElementById(id);
  const dataNode = document.getElementById(`${id}-data`);
  if (!container || !dataNode) throw new Error(`rlrp fallback: element ${id} not found`);
  const plotlyApi = window.Plotly;
  if (!plotlyApi) return; // the static snapshot stays
  providePlotly(plotlyApi);
  const state = JSON.parse(dataNode.textContent ?? '{}') as { kind: WidgetKind };
  const host = document.createElement('div');
  host.className = 'rlrp-fallback-view';
  container.appendChild(host);
  renderByKind({ model: readOnlyModel(state), el: host });
  const snapshot = container.querySelector<HTMLElement>('.rlrp-static');
  if (snapshot) snapshot.style.display = 'none';
  container.dataset.ready = 'true';
}

window.rlrpFallback = window.rlrpFallback ?? { render };
