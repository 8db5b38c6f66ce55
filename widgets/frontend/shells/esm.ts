/**
 * anywidget-compatible ES module: the kernel puts this bundle in the `_esm` trait of a widget
 * whose model is anywidget's `AnyModel`; anywidget (JupyterLab 4, Notebook 7, VS Code, Colab)
 * imports it and calls `render({ model, el })`. The view is chosen by the `kind` trait.
 *
 * plotly.js is not bundled here: anywidget imports `_esm` once per widget and allows 2 s for it.
 * It comes from the page (`window.Plotly`) or from the widget's `_plotly` trait (the UMD source),
 * evaluated once per page and shared by every widget.
 */
import type { PlotlyApi } from 'plotly.js-dist-min';
import type { WidgetKind } from '../../src/schema';
import { renderByKind } from '../index';
import type { WidgetModelLike } from '../model';
import { providePlotly } from '../plotly-provider';

const PLOTLY_SLOT = Symbol.for('@rlrp/widgets.plotly');

type PlotlyHost = typeof globalThis & { Plotly?: PlotlyApi; [PLOTLY_SLOT]?: Promise<PlotlyApi> };

/** Evaluates plotly's UMD source as an ES module (the same Blob-URL import anywidget uses). */
async function importUmd(source: string): Promise<PlotlyApi> {
  const wrapped = `const module = { exports: {} };\n${source}\nexport default module.exports;`;
  const url = URL.createObjectURL(new Blob([wrapped], { type: 'text/javascript' }));
  try {
    const loaded = (await import(/* webpackIgnore: true */ url)) as { default: PlotlyApi };
    return loaded.default;
  } finally {
    URL.revokeObjectURL(url);
  }
}

function loadPlotly(model: WidgetModelLike<{ _plotly?: string }>): Promise<PlotlyApi> {
  const host = globalThis as PlotlyHost;
  if (!host[PLOTLY_SLOT]) {
    const source = model.get('_plotly');
    if (host.Plotly) host[PLOTLY_SLOT] = Promise.resolve(host.Plotly);
    else if (source) host[PLOTLY_SLOT] = importUmd(source);
    else
      return Promise.reject(
        new Error('@rlrp/widgets: no plotly.js on the page and no _plotly trait.'),
      );
  }
  return host[PLOTLY_SLOT] as Promise<PlotlyApi>;
}

export default {
  async render({
    model,
    el,
  }: {
    model: WidgetModelLike<{ kind: WidgetKind; _plotly?: string }>;
    el: HTMLElement;
  }): Promise<() => void> {
    providePlotly(await loadPlotly(model));
    return renderByKind({ model, el });
  },
};
