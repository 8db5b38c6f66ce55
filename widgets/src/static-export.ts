/**
 * Static HTML exports that render the widgets with no kernel and no network.
 *
 * `jupyter nbconvert --to html` embeds the widget state that nbclient stored in the notebook and
 * loads @jupyter-widgets/html-manager (embed-amd) plus require.js from URLs it does not control
 * (unpkg, or Debian's file:// paths). {@link localizeWidgetHtml} rewrites those to a folder next
 * to the HTML file, points html-manager's module "CDN" at the same folder
 * (`data-jupyter-widgets-cdn`), and {@link copyStaticAssets} fills the folder: require.js,
 * embed-amd.js and this package's AMD module at `@rlrp/widgets@<range>/dist/index.js`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ASSETS, assetPath } from './assets';
import { WidgetAssetError, WidgetOptionError } from './errors';
import { WIDGET_MODULE, WIDGET_MODULE_VERSION } from './schema';

/** Default name of the asset folder written next to an exported HTML file. */
export const STATIC_ASSETS_DIR = 'widgets-static';

const WIDGET_RENDERER_LINE = /var widgetRendererSrc = '[^']*';/g;
const REQUIRE_SCRIPT = /<script src="[^"]*require(?:\.min)?\.js">\s*<\/script>/;
const MATHJAX_SCRIPT = /<script[^>]*src="[^"]*MathJax\.js[^"]*"[^>]*>\s*<\/script>/g;

/**
 * Rewrites nbconvert HTML to load require.js, html-manager and every widget module from
 * `assetsUrl` (relative to the HTML file, e.g. `widgets-static/`). MathJax, which nbconvert
 * loads from a file:// or CDN URL, is dropped (math in markdown stays as TeX source).
 */
export function localizeWidgetHtml(html: string, assetsUrl = `${STATIC_ASSETS_DIR}/`): string {
  const base = assetsUrl.endsWith('/') ? assetsUrl : `${assetsUrl}/`;
  if (!REQUIRE_SCRIPT.test(html)) {
    throw new WidgetOptionError(
      'html',
      'no require.js <script> found: pass HTML produced by `jupyter nbconvert --to html` (lab or classic template).',
    );
  }
  const cdnMarker =
    `<script data-jupyter-widgets-cdn="${base}" data-jupyter-widgets-cdn-only></script>\n` +
    `<script src="${base}require.js"></script>`;
  return html
    .replace(REQUIRE_SCRIPT, cdnMarker)
    .replace(WIDGET_RENDERER_LINE, `var widgetRendererSrc = '${base}embed-amd.js';`)
    .replace(MATHJAX_SCRIPT, '');
}

function copy(from: string, to: string): void {
  if (!fs.existsSync(from)) throw new WidgetAssetError(from);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

/** Fills `assetsDir` with require.js, html-manager's embed-amd.js and this package's AMD module. */
export function copyStaticAssets(assetsDir: string): void {
  const embedAmd = require.resolve('@jupyter-widgets/html-manager/dist/embed-amd.js');
  copy(require.resolve('requirejs/require.js'), path.join(assetsDir, 'require.js'));
  copy(embedAmd, path.join(assetsDir, 'embed-amd.js'));
  // html-manager asks for `<cdn><module>@<range>/dist/index.js`, the range verbatim from the state.
  copy(
    assetPath(ASSETS.amdModule),
    path.join(assetsDir, `${WIDGET_MODULE}@${WIDGET_MODULE_VERSION}`, 'dist', 'index.js'),
  );
}

/** Options of {@link exportNotebookHtml}. */
export interface ExportHtmlOptions {
  /** Output folder; default the notebook's folder. */
  outputDir?: string;
  /** The `jupyter` executable; default `jupyter` on PATH. */
  jupyter?: string;
  /** nbconvert template (`lab` or `classic`); default nbconvert's (lab). */
  template?: 'lab' | 'classic';
}

/**
 * Converts an executed notebook (widget state stored by nbclient) to HTML that renders its
 * widgets offline. Returns the HTML file's path; the assets go to `widgets-static/` beside it.
 */
export function exportNotebookHtml(notebookPath: string, options: ExportHtmlOptions = {}): string {
  if (!fs.existsSync(notebookPath)) {
    throw new WidgetOptionError('notebookPath', `${notebookPath} does not exist.`);
  }
  const outputDir = path.resolve(options.outputDir ?? path.dirname(notebookPath));
  const args = ['nbconvert', '--to', 'html', '--output-dir', outputDir];
  if (options.template) args.push('--template', options.template);
  args.push(notebookPath);
  execFileSync(options.jupyter ?? 'jupyter', args, { stdio: 'pipe' });
  const htmlPath = path.join(outputDir, `${path.basename(notebookPath, '.ipynb')}.html`);
  fs.writeFileSync(htmlPath, localizeWidgetHtml(fs.readFileSync(htmlPath, 'utf8')));
  copyStaticAssets(path.join(outputDir, STATIC_ASSETS_DIR));
  return htmlPath;
}
