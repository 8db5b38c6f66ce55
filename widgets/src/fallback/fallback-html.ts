/**
 * The self-contained `text/html` fallback put in every display bundle: plotly.js, the fallback
 * runtime and the figure data inline, so the figure renders with no network, no kernel and no
 * widget manager (nbviewer, GitHub, an nbconvert export without widget state, a front end
 * without this package's extension).
 */
import { randomUUID } from 'node:crypto';
import { ASSETS, assetPath, plotlyBundlePath, readAsset } from '../assets';
import type { FallbackFigure } from '../schema';

/** How the fallback gets plotly.js. */
export type FallbackPlotly =
  /** Inline the whole plotly.js-dist-min bundle (~4.8 MB) — renders anywhere, offline. */
  | 'inline'
  /** Load plotly from this URL (e.g. a copy served next to an exported HTML file). */
  | { src: string };

/** Environment variable that sets the default {@link FallbackPlotly}: `inline` or a URL. */
export const FALLBACK_PLOTLY_ENV = 'RLRP_WIDGETS_FALLBACK_PLOTLY';

/**
 * The default way fallbacks get plotly: `$RLRP_WIDGETS_FALLBACK_PLOTLY` when set (a URL, e.g. a
 * copy served next to exported HTML, keeps notebooks small), else `inline`.
 */
export function defaultFallbackPlotly(): FallbackPlotly {
  const configured = process.env[FALLBACK_PLOTLY_ENV]?.trim();
  return !configured || configured === 'inline' ? 'inline' : { src: configured };
}

/**
 * Makes inline script text safe inside `<script>…</script>`: `</script` would end the element
 * early and `<!--` switches the HTML parser into its escaped script state.
 */
export function escapeInlineScript(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** JSON that cannot close its `<script type="application/json">` element. */
function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * Plotly inline, run only when the page has no plotly yet. The v4 bundle exports through
 * `module.exports` when a CommonJS `module` is visible and otherwise sets `window.Plotly`;
 * shadowing `module`/`exports` keeps it on the global path inside any host page.
 */
function plotlyScript(plotly: FallbackPlotly): string {
  if (plotly !== 'inline') return `<script src="${plotly.src.replace(/"/g, '&quot;')}"></script>`;
  const source = escapeInlineScript(readAsset(plotlyBundlePath()));
  return `<script>if (!window.Plotly) { (function (module, exports) {\n${source}\n})(undefined, undefined); }</script>`;
}

/** The complete fallback HTML for a figure. */
export function fallbackHtml(figure: FallbackFigure, plotly: FallbackPlotly = 'inline'): string {
  const id = `rlrp-fallback-${randomUUID()}`;
  const runtime = escapeInlineScript(readAsset(assetPath(ASSETS.fallbackRuntime)));
  return [
    `<div class="rlrp-fallback" id="${id}" style="width:100%;max-width:900px;min-height:460px"></div>`,
    `<script type="application/json" id="${id}-data">${inlineJson(figure)}</script>`,
    plotlyScript(plotly),
    `<script>if (!window.rlrpFallback) {\n${runtime}\n}</script>`,
    `<script>window.rlrpFallback.render(${JSON.stringify(id)}).catch(function (e) { console.error(e); });</script>`,
  ].join('\n');
}

/** A plain plotly figure: traces and layout as JSON. */
export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

/** A self-contained HTML rendering of a static plotly figure (no runtime beyond plotly). */
export function plotlyFigureHtml(figure: PlotlyFigure, plotly: FallbackPlotly = 'inline'): string {
  const id = `rlrp-fallback-${randomUUID()}`;
  return [
    `<div class="rlrp-fallback" id="${id}" style="width:100%;max-width:900px"></div>`,
    `<script type="application/json" id="${id}-data">${inlineJson(figure)}</script>`,
    plotlyScript(plotly),
    '<script>(function () {',
    `  var id = ${JSON.stringify(id)};`,
    "  var figure = JSON.parse(document.getElementById(id + '-data').textContent);",
    '  window.Plotly.newPlot(id, figure.data, figure.layout, { displaylogo: false }).then(function () {',
    "    document.getElementById(id).setAttribute('data-ready', 'true');",
    '  });',
    '})();</script>',
  ].join('\n');
}
