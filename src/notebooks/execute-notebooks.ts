/**
 * `npm run notebooks:execute [-- 01-quickstart.ipynb ...]`: executes the tutorial notebooks through
 * the real `tslab-widgets` kernel (Debian's `jupyter nbconvert --execute`) and writes them back into
 * `notebooks/` with their outputs and widget state, so readers on GitHub see real results. Stops
 * without touching a notebook whose execution produced an error output.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SingleBar, Presets } from 'cli-progress';
import { SAVED_STATE_METADATA_KEY } from '@rlrp/widgets';
import {
  EXPECTED_WIDGETS,
  NOTEBOOKS_DIR,
  buildNotebookDependencies,
  displayedWidgetIds,
  executeNotebook,
  installKernel,
  listNotebooks,
  outputProblems,
  plotlyCdnUrl,
  readNotebook,
  referencePlotlyInsteadOfInlining,
  storedWidgets,
  writeNotebook,
} from './notebook-runner';

function selectedNotebooks(args: readonly string[]): string[] {
  const all = listNotebooks();
  if (args.length === 0) return all;
  return args.map((arg) => {
    const name = path.basename(arg);
    const match = all.find((candidate) => candidate === name || candidate.startsWith(name));
    if (!match) {
      throw new Error(`No notebook "${arg}" in ${NOTEBOOKS_DIR}. Notebooks: ${all.join(', ')}.`);
    }
    return match;
  });
}

/**
 * Moves the widget state nbclient stored (`metadata.widgets`) to where the Notebook extension
 * saves and reads it: with the standard key, plain `jupyter nbconvert --to html` and nbviewer draw
 * an empty html-manager box for every widget instead of its text/html picture
 * (`rlrp-widgets export-html` moves it back for its interactive export).
 */
function keepStateForTheExtension(notebook: ReturnType<typeof readNotebook>): void {
  const standard = notebook.metadata['widgets'] as Record<string, unknown> | undefined;
  const state = standard?.['application/vnd.jupyter.widget-state+json'];
  if (state === undefined) return;
  notebook.metadata[SAVED_STATE_METADATA_KEY] = state;
  delete notebook.metadata['widgets'];
}

/** Checks an executed notebook; returns the reasons it must not be committed. */
function problemsOf(name: string, file: string): string[] {
  const notebook = readNotebook(file);
  const problems = outputProblems(notebook).map((p) => `cell ${p.cell}: ${p.problem}`);
  const stored = storedWidgets(notebook);
  for (const id of displayedWidgetIds(notebook)) {
    if (!stored[id]) problems.push(`widget ${id} is displayed but its state is not stored`);
  }
  const storedNames = Object.values(stored).map((model) => model.model_name);
  for (const expected of EXPECTED_WIDGETS[name] ?? []) {
    if (!storedNames.includes(expected)) problems.push(`no stored ${expected} widget state`);
  }
  return problems;
}

async function main(): Promise<void> {
  const names = selectedNotebooks(process.argv.slice(2));
  console.log('Building @rlrp/core, @rlrp/datasets, tslab-widgets and @rlrp/widgets ...');
  buildNotebookDependencies();
  const kernel = installKernel();
  const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlrp-notebooks-out-'));
  const plotlySrc = plotlyCdnUrl();
  const interactive = process.stdout.isTTY === true;
  const bar = new SingleBar(
    { format: ' {bar} {value}/{total} notebooks | {notebook} | {elapsed}s', hideCursor: true },
    Presets.shades_classic,
  );
  const started = Date.now();
  let ticker: NodeJS.Timeout | undefined;
  if (interactive) {
    bar.start(names.length, 0, { notebook: names[0], elapsed: 0 });
    ticker = setInterval(
      () => bar.update({ elapsed: Math.round((Date.now() - started) / 1000) }),
      1000,
    );
  }
  const failures: string[] = [];
  const timings: string[] = [];
  try {
    for (const [i, name] of names.entries()) {
      if (interactive) bar.update(i, { notebook: name });
      else console.log(`[${i + 1}/${names.length}] executing ${name} ...`);
      try {
        const result = await executeNotebook(name, outputDir, kernel);
        const problems = problemsOf(name, result.outputPath);
        if (problems.length > 0) {
          failures.push(`${name}:\n  ${problems.join('\n  ')}`);
          continue;
        }
        const notebook = readNotebook(result.outputPath);
        keepStateForTheExtension(notebook);
        const replaced = referencePlotlyInsteadOfInlining(notebook, plotlySrc);
        const target = path.join(NOTEBOOKS_DIR, name);
        writeNotebook(target, notebook);
        const kib = Math.round(fs.statSync(target).size / 1024);
        timings.push(
          `${name.padEnd(28)} ${result.seconds.toFixed(1).padStart(6)} s  ${String(kib).padStart(6)} KiB` +
            (replaced > 0 ? `  (${replaced} inline plotly.js bundle(s) → ${plotlySrc})` : ''),
        );
      } catch (error) {
        failures.push(`${name}: ${(error as Error).message}`);
      }
    }
    if (interactive) bar.update(names.length, { notebook: 'done' });
  } finally {
    if (ticker) clearInterval(ticker);
    if (interactive) bar.stop();
    kernel.cleanup();
    fs.rmSync(outputDir, { recursive: true, force: true });
  }
  if (timings.length > 0) console.log(`Written to ${NOTEBOOKS_DIR}:\n${timings.join('\n')}`);
  console.log(`Total ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  if (failures.length > 0) {
    console.error(`\nNot written (fix and rerun):\n${failures.join('\n')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
