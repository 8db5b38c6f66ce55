/**
 * Where the views get plotly.js from. The nbextension and html-manager shells bundle plotly and
 * provide it at load time; the anywidget shell loads it once per page from the widget's
 * `_plotly` trait (so the `_esm` module stays small: anywidget gives a model 2 s to initialise).
 */
import type { PlotlyApi } from 'plotly.js-dist-min';

let current: PlotlyApi | undefined;

/** Sets the plotly.js instance every view draws with. */
export function providePlotly(api: PlotlyApi): void {
  current = api;
}

/** The plotly.js instance; throws when no shell provided one. */
export function plotly(): PlotlyApi {
  if (!current) {
    throw new Error(
      '@rlrp/widgets: plotly.js was not provided to the views (shell bug: call providePlotly first).',
    );
  }
  return current;
}
