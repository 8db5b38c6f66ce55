/**
 * Executes the tutorial notebooks through the real `tslab-widgets` kernel with Debian's Jupyter
 * (`jupyter nbconvert --execute`, i.e. nbclient), and inspects the executed notebooks. Shared by
 * `npm run notebooks:execute` (which commits the outputs) and the notebook test in CI.
 */
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundleFrontends, compileProjects } from '../build/workspace-build';
import { SAVED_STATE_METADATA_KEY } from '@rlrp/widgets';

/** Repository root (this file is `src/notebooks/notebook-runner.ts`). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** The folder of the tutorial notebooks; also the kernel's working directory while they run. */
export const NOTEBOOKS_DIR = path.join(REPO_ROOT, 'notebooks');
/**
 * Debian's Python with jupyter-client and nbclient. An explicit path, because a `python3` earlier on
 * PATH (pyenv, venv) usually lacks them.
 */
export const PYTHON = process.env['RLRP_NOTEBOOKS_PYTHON'] ?? '/usr/bin/python3';
/** Debian's `jupyter` command. */
export const JUPYTER = process.env['RLRP_NOTEBOOKS_JUPYTER'] ?? '/usr/bin/jupyter';
/** Longest a single cell may run before nbclient gives up, in seconds. */
export const CELL_TIMEOUT_SECONDS = 300;

/** Widgets each tutorial displays (`_model_name`s); notebooks not listed display none. */
export const EXPECTED_WIDGETS: Readonly<Record<string, readonly string[]>> = {
  '01-quickstart.ipynb': ['RelevanceExplorerModel'],
  '03-comparing-rules.ipynb': ['RuleComparisonModel', 'EvaluationPlotModel'],
  '04-residual-networks.ipynb': ['RelevanceExplorerModel'],
};

/** The tutorial notebooks, in reading order (file names). */
export function listNotebooks(): string[] {
  return fs
    .readdirSync(NOTEBOOKS_DIR)
    .filter((name) => /^\d\d-.*\.ipynb$/.test(name))
    .sort();
}

/** A `tslab-widgets` kernelspec installed into a private prefix, and the environment using it. */
export interface KernelEnvironment {
  /** Temporary folder holding the prefix and Jupyter's data, config and runtime folders. */
  readonly root: string;
  /** Environment for Jupyter: only this prefix's kernels, private Jupyter folders. */
  readonly env: NodeJS.ProcessEnv;
  /** Removes the temporary folder. */
  cleanup(): void;
}

/**
 * Installs the `tslab-widgets` kernelspec with the plugin's own installer
 * (`tslab-widgets install --prefix`) into a fresh temporary prefix. The plugin must be built.
 */
export function installKernel(): KernelEnvironment {
  const launcher = path.join(REPO_ROOT, 'packages', 'tslab-widgets', 'bin', 'tslab-widgets.js');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rlrp-notebooks-'));
  const prefix = path.join(root, 'prefix');
  execFileSync(process.execPath, [launcher, 'install', '--python', PYTHON, '--prefix', prefix], {
    stdio: 'pipe',
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUPYTER_PATH: path.join(prefix, 'share', 'jupyter'),
    JUPYTER_DATA_DIR: path.join(root, 'data'),
    JUPYTER_CONFIG_DIR: path.join(root, 'config'),
    JUPYTER_RUNTIME_DIR: path.join(root, 'runtime'),
    PYTHONDONTWRITEBYTECODE: '1',
  };
  return { root, env, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** The packages the notebooks import, compiled, and the widgets' front-end runtime, bundled. */
export function buildNotebookDependencies(): void {
  compileProjects(['packages/core', 'packages/datasets', 'packages/tslab-widgets', 'widgets']);
  // The widgets' text/html fallback reads the bundled front-end runtime.
  bundleFrontends();
}

/** The result of executing one notebook. */
export interface ExecutionResult {
  /** The notebook's file name. */
  readonly name: string;
  /** Path of the executed copy. */
  readonly outputPath: string;
  /** Wall-clock seconds of the nbconvert run (kernel start included). */
  readonly seconds: number;
}

/** Thrown when nbconvert fails (a cell raised, a cell timed out, the kernel died). */
export class NotebookExecutionError extends Error {
  constructor(
    readonly notebook: string,
    readonly output: string,
  ) {
    super(`Executing ${notebook} failed:\n${output.split('\n').slice(-40).join('\n')}`);
    this.name = 'NotebookExecutionError';
  }
}

/**
 * Executes `notebooks/<name>` with `jupyter nbconvert --to notebook --execute` on the
 * `tslab-widgets` kernel, the kernel's working directory being `notebooks/` (so `../models/...`
 * resolves), and writes the executed copy to `outputDir`. nbclient stores the widget state in the
 * notebook metadata. Cell timing metadata is not recorded, so committed notebooks diff cleanly.
 */
export function executeNotebook(
  name: string,
  outputDir: string,
  kernel: KernelEnvironment,
): Promise<ExecutionResult> {
  const started = Date.now();
  const args = [
    'nbconvert',
    '--to',
    'notebook',
    '--execute',
    `--ExecutePreprocessor.timeout=${CELL_TIMEOUT_SECONDS}`,
    '--ExecutePreprocessor.kernel_name=tslab-widgets',
    '--ExecutePreprocessor.record_timing=False',
    '--output-dir',
    outputDir,
    path.join(NOTEBOOKS_DIR, name),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(JUPYTER, args, { cwd: NOTEBOOKS_DIR, env: kernel.env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => reject(new NotebookExecutionError(name, String(error))));
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new NotebookExecutionError(name, output));
        return;
      }
      resolve({
        name,
        outputPath: path.join(outputDir, name),
        seconds: (Date.now() - started) / 1000,
      });
    });
  });
}

/** The parts of nbformat 4 this module reads. */
export interface NotebookOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  ename?: string;
  evalue?: string;
  data?: Record<string, unknown>;
}
export interface NotebookCell {
  cell_type: string;
  source: string | string[];
  execution_count?: number | null;
  outputs?: NotebookOutput[];
}
export interface Notebook {
  cells: NotebookCell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

/** A stored widget model (nbformat's widget-state schema). */
export interface StoredWidgetModel {
  model_name: string;
  model_module: string;
  model_module_version: string;
  state: Record<string, unknown>;
  buffers?: { path: (string | number)[]; data: string; encoding: string }[];
}

/** Reads a notebook file. */
export function readNotebook(file: string): Notebook {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Notebook;
}

/** nbformat may store multi-line strings as lists of lines. */
export function joinText(value: unknown): string {
  return Array.isArray(value) ? value.join('') : typeof value === 'string' ? value : '';
}

/** A problem found in an executed notebook's outputs. */
export interface OutputProblem {
  readonly cell: number;
  readonly problem: string;
}

/** Every `error` output and every stderr stream of a notebook (what CI treats as failure). */
export function outputProblems(notebook: Notebook): OutputProblem[] {
  const problems: OutputProblem[] = [];
  notebook.cells.forEach((cell, index) => {
    for (const output of cell.outputs ?? []) {
      if (output.output_type === 'error') {
        problems.push({ cell: index, problem: `${output.ename}: ${output.evalue}` });
      } else if (output.output_type === 'stream' && output.name === 'stderr') {
        problems.push({ cell: index, problem: `stderr: ${joinText(output.text).slice(0, 500)}` });
      }
    }
  });
  return problems;
}

/**
 * The widget models stored in the notebook metadata, by model id: where nbclient stores them
 * (`metadata.widgets`) or, in the committed tutorials, where the Notebook extension saves and reads
 * them (`metadata["rlrp-widgets"]`, see `keepStateForTheExtension` in execute-notebooks.ts).
 */
export function storedWidgets(notebook: Notebook): Record<string, StoredWidgetModel> {
  const widgets = notebook.metadata['widgets'] as
    Record<string, { state?: Record<string, StoredWidgetModel> }> | undefined;
  const saved = notebook.metadata[SAVED_STATE_METADATA_KEY] as
    { state?: Record<string, StoredWidgetModel> } | undefined;
  return widgets?.['application/vnd.jupyter.widget-state+json']?.state ?? saved?.state ?? {};
}

/** The model ids of every widget view displayed in the notebook's outputs. */
export function displayedWidgetIds(notebook: Notebook): string[] {
  return notebook.cells.flatMap((cell) =>
    (cell.outputs ?? []).flatMap((output) => {
      const view = output.data?.['application/vnd.jupyter.widget-view+json'] as
        { model_id?: string } | undefined;
      return view?.model_id ? [view.model_id] : [];
    }),
  );
}

const INLINE_PLOTLY_START = '<script>if (!window.Plotly) { (function (module, exports) {';
const SCRIPT_END = '</script>';

/**
 * The widgets' `text/html` fallbacks inline the whole plotly.js bundle (~4.8 MB per output) so they
 * render anywhere offline. Stored in the committed notebooks, that would put several copies into
 * git for readers who never run the fallback (GitHub does not execute scripts; Jupyter with the
 * extension renders the widget itself). The committed copies load the same plotly.js version from
 * jsDelivr instead — exactly the `fallbackPlotly: { src }` form the widgets emit on request — which
 * viewers that do run scripts (nbviewer) can fetch. Returns the number of bundles replaced.
 */
export function referencePlotlyInsteadOfInlining(notebook: Notebook, plotlySrc: string): number {
  let replaced = 0;
  for (const cell of notebook.cells) {
    for (const output of cell.outputs ?? []) {
      const data = output.data;
      if (!data || data['text/html'] === undefined) continue;
      let html = joinText(data['text/html']);
      for (;;) {
        const start = html.indexOf(INLINE_PLOTLY_START);
        if (start < 0) break;
        const end = html.indexOf(SCRIPT_END, start);
        if (end < 0) break;
        html = `${html.slice(0, start)}<script src="${plotlySrc}"></script>${html.slice(end + SCRIPT_END.length)}`;
        replaced += 1;
      }
      data['text/html'] = html;
    }
  }
  return replaced;
}

/** jsDelivr URL of the installed plotly.js-dist-min version. */
export function plotlyCdnUrl(): string {
  const manifest = require.resolve('plotly.js-dist-min/package.json', {
    paths: [path.join(REPO_ROOT, 'widgets')],
  });
  const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string };
  return `https://cdn.jsdelivr.net/npm/plotly.js-dist-min@${version}/plotly.min.js`;
}

/** Writes a notebook as Jupyter does (one-space indent, trailing newline). */
export function writeNotebook(file: string, notebook: Notebook): void {
  fs.writeFileSync(file, `${JSON.stringify(notebook, null, 1)}\n`);
}
