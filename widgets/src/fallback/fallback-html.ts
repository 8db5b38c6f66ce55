/**
 * The `text/html` fallback put in every display bundle, for wherever the live view cannot run
 * (nbconvert HTML without widget state, nbviewer, GitHub, a front end without this package's
 * extension):
 * - always a static snapshot (a PNG of what the view first shows) and a caption, a few KB;
 * - when plotly is available (`inline`, or a URL), also the saved widget state and the view
 *   bundle, which draws the same interactive view as the live widget over a read-only model and
 *   then hides the snapshot — one renderer, so the fallback and the live view cannot disagree.
 */
import { randomUUID } from 'node:crypto';
import { pngDataUrl, type RgbaImage } from '@rlrp/core';
import { escapeHtml, type JsonValue } from 'tslab-widgets';
import { ASSETS, assetPath, plotlyBundlePath, readAsset } from '../assets';
import { WidgetOptionError } from '../errors';

/** How the fallback gets plotly.js, which the interactive fallback needs. */
export type FallbackPlotly =
  /** No plotly: the static snapshot only (default; keeps saved notebooks small). */
  | 'none'
  /** Inline the whole plotly.js-dist-min bundle (~4.8 MB) — interactive anywhere, offline. */
  | 'inline'
  /** Load plotly from this URL (e.g. a copy served next to an exported HTML file). */
  | { src: string };

/** Environment variable that sets the default {@link FallbackPlotly}: `none`, `inline` or a URL. */
export const FALLBACK_PLOTLY_ENV = 'RLRP_WIDGETS_FALLBACK_PLOTLY';

/**
 * The default way fallbacks get plotly: `$RLRP_WIDGETS_FALLBACK_PLOTLY` when set, else `none`
 * (a snapshot only: an inline plotly would add 4.8 MB per widget to a saved notebook).
 */
export function defaultFallbackPlotly(): FallbackPlotly {
  const configured = process.env[FALLBACK_PLOTLY_ENV]?.trim();
  if (!configured || configured === 'none') return 'none';
  return configured === 'inline' ? 'inline' : { src: configured };
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
function plotlyScript(plotly: Exclude<FallbackPlotly, 'none'>): string {
  if (plotly !== 'inline') return `<script src="${escapeHtml(plotly.src)}"></script>`;
  const source = escapeInlineScript(readAsset(plotlyBundlePath()));
  return `<script>if (!window.Plotly) { (function (module, exports) {\n${source}\n})(undefined, undefined); }</script>`;
}

/** What a fallback shows. */
export interface FallbackContent {
  /** The saved widget state (binary values as base64, see `savedState`). */
  state: JsonValue;
  /** The static view shown until (or instead of) the interactive one, e.g. {@link snapshotHtml}. */
  staticHtml: string;
}

/** A static picture with a caption (also its alt text). */
export function snapshotHtml(image: RgbaImage, caption: string): string {
  const text = escapeHtml(caption);
  return [
    `<img class="rlrp-snapshot" alt="${text}" src="${pngDataUrl(image)}" ` +
      `width="${image.width}" height="${image.height}" style="image-rendering:pixelated">`,
    `<div class="rlrp-caption" style="font:12px system-ui,sans-serif;color:#555">${text}</div>`,
  ].join('\n');
}

/** A static HTML table: a header row and rows of cells (text, escaped here). */
export function tableHtml(
  caption: string,
  header: readonly string[],
  rows: readonly string[][],
): string {
  const row = (cells: readonly string[], tag: string): string =>
    `<tr>${cells.map((c) => `<${tag} style="padding:2px 8px;text-align:left">${escapeHtml(c)}</${tag}>`).join('')}</tr>`;
  return [
    '<table class="rlrp-snapshot" style="font:12px system-ui,sans-serif;border-collapse:collapse">',
    `<caption style="text-align:left;font-weight:600">${escapeHtml(caption)}</caption>`,
    row(header, 'th'),
    ...rows.map((cells) => row(cells, 'td')),
    '</table>',
  ].join('\n');
}

/** The complete fallback HTML of a widget. */
export function fallbackHtml(content: FallbackContent, plotly: FallbackPlotly = 'none'): string {
  if (plotly !== 'none' && plotly !== 'inline' && typeof plotly?.src !== 'string') {
    throw new WidgetOptionError(
      'fallbackPlotly',
      `expected 'none', 'inline' or { src: URL }, got ${JSON.stringify(plotly)}.`,
    );
  }
  const id = `rlrp-fallback-${randomUUID()}`;
  const parts = [
    `<div class="rlrp-fallback" id="${id}" style="max-width:980px">`,
    `<div class="rlrp-static">${content.staticHtml}</div>`,
    '</div>',
  ];
  if (plotly === 'none') return parts.join('\n');
  const runtime = escapeInlineScript(readAsset(assetPath(ASSETS.fallbackRuntime)));
  parts.push(
    `<script type="application/json" id="${id}-data">${inlineJson(content.state)}</script>`,
    plotlyScript(plotly),
    `<script>if (!window.rlrpFallback) {\n${runtime}\n}</script>`,
    `<script>window.rlrpFallback.render(${JSON.stringify(id)}).catch(function (e) { console.error(e); });</script>`,
  );
  return parts.join('\n');
}
