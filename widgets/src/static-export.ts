/**
 * Static HTML exports that render the widgets with no kernel and no network.
 *
 * `jupyter nbconvert --to html` embeds the widget state that nbclient stored in the notebook and
 * loads @jupyter-widgets/html-manager (embed-amd) plus require.js from URLs it does not control
 * (unpkg, or Debian's file:// paths). {@link localizeWidgetHtml} rewrites those to a folder next
 * to the HTML file, points html-manager's module "CDN" at the same folder
 * (`data-jupyter-widgets-cdn`), and {@link copyStaticAssets} fills the folder: require.js,
 * embed-amd.js and this package's AMD module at `@rlrp/widgets@<range>/dist/index.js` (plus
 * anywidget's AMD front end when the notebook's widgets were made for anywidget).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ASSETS, assetPath } from './assets';
import { WidgetAssetError, WidgetOptionError } from './errors';
import {
  MODEL_NAMES,
  SAVED_STATE_METADATA_KEY,
  STATIC_EXPORT_TRAIT,
  WIDGET_MODULE,
  WIDGET_MODULE_VERSION,
} from './schema';

const WIDGET_STATE_MIME = 'application/vnd.jupyter.widget-state+json';

/** The parts of a notebook file {@link withStandardWidgetState} reads and writes. */
interface NotebookFile {
  metadata?: {
    widgets?: { [WIDGET_STATE_MIME]?: { state?: Record<string, unknown> } };
    [SAVED_STATE_METADATA_KEY]?: { state?: Record<string, unknown> };
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/**
 * The notebook with the state the classic Notebook extension saved (under
 * {@link SAVED_STATE_METADATA_KEY}) merged into the standard `metadata.widgets`, where nbconvert
 * embeds it for html-manager. Returns undefined when there is nothing to move.
 */
export function withStandardWidgetState(notebook: NotebookFile): NotebookFile | undefined {
  const own = notebook.metadata?.[SAVED_STATE_METADATA_KEY];
  if (!own?.state || !notebook.metadata) return undefined;
  const standard = notebook.metadata.widgets?.[WIDGET_STATE_MIME];
  return {
    ...notebook,
    metadata: {
      ...notebook.metadata,
      widgets: {
        [WIDGET_STATE_MIME]: { ...own, state: { ...standard?.state, ...own.state } },
      },
    },
  };
}

/** Default name of the asset folder written next to an exported HTML file. */
export const STATIC_ASSETS_DIR = 'widgets-static';

const WIDGET_RENDERER_LINE = /var widgetRendererSrc = '[^']*';/g;
const REQUIRE_SCRIPT = /<script src="[^"]*require(?:\.min)?\.js">\s*<\/script>/;
const MATHJAX_SCRIPT = /<script[^>]*src="[^"]*MathJax\.js[^"]*"[^>]*>\s*<\/script>/g;

const STATE_SCRIPT =
  /(<script type="application\/vnd\.jupyter\.widget-(?:state|view)\+json">)([\s\S]*?)(<\/script>)/g;
const ENTITIES: Readonly<Record<string, string>> = {
  '&lt;': '<',
  '&gt;': '>',
  '&amp;': '&',
  '&#39;': "'",
  '&#34;': '"',
  '&quot;': '"',
};

/**
 * nbconvert 6.5 HTML-escapes the widget state JSON (`escape_html_keep_quotes`) although it sits in
 * a `<script>`, where entities are not decoded: a string holding `<` or `&` (an anywidget `_esm`
 * bundle, a label) reaches html-manager as `&lt;` / `&amp;`. Undo that, and escape `<` the JSON
 * way (`\u003c`; in JSON `<` occurs only inside strings) so no `</script>` can end the element.
 */
export function repairWidgetStateScripts(html: string): string {
  return html.replace(STATE_SCRIPT, (_whole, open: string, body: string, close: string) => {
    const json = body.replace(
      /&(?:lt|gt|amp|quot|#39|#34);/g,
      (entity) => ENTITIES[entity] ?? entity,
    );
    return `${open}${scriptSafeJson(json)}${close}`;
  });
}

/** JSON with `<` escaped the JSON way (`\u003c`; in JSON `<` occurs only inside strings). */
function scriptSafeJson(json: string): string {
  return json.replace(/</g, '\\u003c');
}

const STATE_ONLY_SCRIPT =
  /(<script type="application\/vnd\.jupyter\.widget-state\+json">)([\s\S]*?)(<\/script>)/g;

/** One model of the `application/vnd.jupyter.widget-state+json` script. */
interface SavedModel {
  model_module?: string;
  state?: { kind?: unknown; [trait: string]: unknown };
}

const WIDGET_KINDS: ReadonlySet<unknown> = new Set(Object.keys(MODEL_NAMES));

/** Whether a saved model is one of this package's widgets (either front end) with a state object. */
function isOwnWidget(model: unknown): model is SavedModel & { state: Record<string, unknown> } {
  if (typeof model !== 'object' || model === null) return false;
  const { model_module: module, state } = model as SavedModel;
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return false;
  return module === WIDGET_MODULE || (module === 'anywidget' && WIDGET_KINDS.has(state.kind));
}

/**
 * Sets {@link STATIC_EXPORT_TRAIT} in the saved state of this package's widgets (either front
 * end) in already repaired HTML ({@link repairWidgetStateScripts}): the exported page has no
 * kernel, and anywidget gives the views no other way to know. Other widgets are left as they are.
 */
export function markStaticWidgetState(html: string): string {
  return html.replace(
    STATE_ONLY_SCRIPT,
    (whole: string, open: string, body: string, close: string) => {
      let saved: { state?: Record<string, SavedModel> };
      try {
        saved = JSON.parse(body) as typeof saved;
      } catch (error) {
        throw new WidgetOptionError(
          'html',
          `its widget state is not JSON (${(error as Error).message}); pass the HTML that \`jupyter nbconvert --to html\` wrote, unedited.`,
        );
      }
      const models: unknown = saved?.state;
      let marked = false;
      if (typeof models === 'object' && models !== null) {
        for (const model of Object.values(models)) {
          if (isOwnWidget(model)) {
            model.state[STATIC_EXPORT_TRAIT] = true;
            marked = true;
          }
        }
      }
      // Nothing of ours: the script stays byte for byte (a JSON round trip would turn 1e400 into
      // null and round integers above 2⁵³ in other widgets' state).
      return marked ? `${open}${scriptSafeJson(JSON.stringify(saved))}${close}` : whole;
    },
  );
}

/**
 * Rewrites nbconvert HTML to load require.js, html-manager and every widget module from
 * `assetsUrl` (relative to the HTML file, e.g. `widgets-static/`) and marks this package's widgets
 * as having no kernel ({@link markStaticWidgetState}). MathJax, which nbconvert loads from a
 * file:// or CDN URL, is dropped (math in markdown stays as TeX source).
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
  return markStaticWidgetState(repairWidgetStateScripts(html))
    .replace(REQUIRE_SCRIPT, cdnMarker)
    .replace(WIDGET_RENDERER_LINE, `var widgetRendererSrc = '${base}embed-amd.js';`)
    .replace(MATHJAX_SCRIPT, '');
}

function copy(from: string, to: string): void {
  if (!fs.existsSync(from)) throw new WidgetAssetError(from);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

/**
 * Version ranges of anywidget's module that the widget state in `html` asks for (widgets made
 * with `frontend: 'anywidget'`), e.g. `["*"]`.
 */
export function anywidgetRanges(html: string): string[] {
  const ranges = new Set<string>();
  const pattern = /"model_module":\s*"anywidget",\s*"model_module_version":\s*"([^"]*)"/g;
  for (let match = pattern.exec(html); match; match = pattern.exec(html)) ranges.add(match[1]);
  return [...ranges];
}

/**
 * Copies anywidget's AMD front end (npm `anywidget`, `dist/index.js`) for each version range, so
 * html-manager finds `anywidget@<range>/dist/index.js`. anywidget must be installed.
 */
export function copyAnywidgetAssets(assetsDir: string, ranges: readonly string[]): void {
  let source: string;
  try {
    // The package's export map exposes dist/index.js as its main entry.
    source = require.resolve('anywidget');
  } catch {
    throw new WidgetOptionError(
      'anywidget',
      'the notebook has anywidget widgets but the npm package `anywidget` is not installed; `npm install anywidget`.',
    );
  }
  for (const range of ranges)
    copy(source, path.join(assetsDir, `anywidget@${range}`, 'dist', 'index.js'));
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
  const name = path.basename(notebookPath, '.ipynb');
  const args = ['nbconvert', '--to', 'html', '--output-dir', outputDir, '--output', name];
  if (options.template) args.push('--template', options.template);
  // A notebook saved by the live Notebook keeps its widget state under its own key: convert a
  // temporary copy with that state where nbconvert looks for it.
  const moved = withStandardWidgetState(
    JSON.parse(fs.readFileSync(notebookPath, 'utf8')) as NotebookFile,
  );
  const temporaryDir = moved ? fs.mkdtempSync(path.join(os.tmpdir(), 'rlrp-export-')) : undefined;
  const source = temporaryDir ? path.join(temporaryDir, `${name}.ipynb`) : notebookPath;
  if (temporaryDir) fs.writeFileSync(source, JSON.stringify(moved));
  try {
    args.push(source);
    execFileSync(options.jupyter ?? 'jupyter', args, { stdio: 'pipe' });
  } finally {
    if (temporaryDir) fs.rmSync(temporaryDir, { recursive: true, force: true });
  }
  const htmlPath = path.join(outputDir, `${name}.html`);
  const html = fs.readFileSync(htmlPath, 'utf8');
  fs.writeFileSync(htmlPath, localizeWidgetHtml(html));
  copyStaticAssets(path.join(outputDir, STATIC_ASSETS_DIR));
  const ranges = anywidgetRanges(html);
  if (ranges.length > 0) copyAnywidgetAssets(path.join(outputDir, STATIC_ASSETS_DIR), ranges);
  return htmlPath;
}
