/**
 * Every tutorial notebook runs through the real `tslab-widgets` kernel with Debian's Jupyter
 * (`jupyter nbconvert --execute`, i.e. nbclient), the kernelspec installed into a temporary prefix by
 * the plugin's own installer. A notebook fails on any error output or stderr stream; notebooks that
 * display widgets must have every displayed widget's state stored in the executed notebook's
 * metadata. The committed notebooks must carry their executed outputs.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  EXPECTED_WIDGETS,
  NOTEBOOKS_DIR,
  buildNotebookDependencies,
  displayedWidgetIds,
  executeNotebook,
  installKernel,
  joinText,
  listNotebooks,
  outputProblems,
  readNotebook,
  storedWidgets,
  type KernelEnvironment,
  type Notebook,
} from '../../src/notebooks/notebook-runner';

const NOTEBOOKS = [
  '01-quickstart.ipynb',
  '02-layer-by-layer.ipynb',
  '03-comparing-rules.ipynb',
  '04-residual-networks.ipynb',
  '05-your-own-model.ipynb',
  '06-engines.ipynb',
];

/** Target of issue #13: at most 500 KB per committed tutorial and per MNIST explorer in it. */
const MAX_BYTES = 500 * 1024;

// Kernel start plus the slowest notebook (03, about a minute on 2 busy cores), with margin.
const NOTEBOOK_TIMEOUT_MS = 240_000;

describe('tutorial notebooks', () => {
  test('the six tutorials are there, on the tslab-widgets kernel', () => {
    expect(listNotebooks()).toEqual(NOTEBOOKS);
    for (const name of NOTEBOOKS) {
      const notebook = readNotebook(path.join(NOTEBOOKS_DIR, name));
      expect(notebook.nbformat).toBe(4);
      expect(notebook.metadata['kernelspec']).toEqual(
        expect.objectContaining({ name: 'tslab-widgets', language: 'typescript' }),
      );
    }
  });

  test.each(NOTEBOOKS)('committed %s carries its executed outputs and no errors', (name) => {
    const notebook = readNotebook(path.join(NOTEBOOKS_DIR, name));
    const codeCells = notebook.cells.filter((cell) => cell.cell_type === 'code');
    expect(codeCells.length).toBeGreaterThan(0);
    for (const cell of codeCells) expect(cell.execution_count).toEqual(expect.any(Number));
    expect(codeCells.some((cell) => (cell.outputs ?? []).length > 0)).toBe(true);
    expect(outputProblems(notebook)).toEqual([]);
  });

  test.each(NOTEBOOKS)(
    'committed %s is compact and shows every widget without a kernel',
    (name) => {
      const file = path.join(NOTEBOOKS_DIR, name);
      expect(fs.statSync(file).size).toBeLessThanOrEqual(MAX_BYTES);
      const notebook = readNotebook(file);
      // Under the extension's key, not `metadata.widgets`: there, plain nbconvert would pick the
      // widget view and ask a CDN for the unpublished @rlrp/widgets instead of the picture.
      expect(notebook.metadata['widgets']).toBeUndefined();
      const stored = storedWidgets(notebook);
      const displayed = displayedWidgetIds(notebook);
      expect(displayed.map((id) => stored[id]?.model_name).sort()).toEqual(
        [...(EXPECTED_WIDGETS[name] ?? [])].sort(),
      );
      for (const cell of notebook.cells) {
        for (const output of cell.outputs ?? []) {
          const view = output.data?.['application/vnd.jupyter.widget-view+json'] as
            { model_id: string } | undefined;
          if (!view) continue;
          expect(joinText(output.data?.['text/html'])).toContain('class="rlrp-snapshot"');
          // What one widget adds to the file: its saved state and its output (view + fallbacks).
          const bytes =
            JSON.stringify(stored[view.model_id]).length + JSON.stringify(output).length;
          expect(bytes).toBeLessThanOrEqual(MAX_BYTES);
        }
      }
    },
  );
});

describe('tutorial notebooks execute through the real kernel', () => {
  let kernel: KernelEnvironment;
  let outputDir: string;

  beforeAll(() => {
    buildNotebookDependencies();
    kernel = installKernel();
    outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlrp-notebooks-test-'));
  }, 300_000);

  afterAll(() => {
    kernel?.cleanup();
    if (outputDir) fs.rmSync(outputDir, { recursive: true, force: true });
  });

  test.each(NOTEBOOKS)(
    '%s executes without error outputs',
    async (name) => {
      const result = await executeNotebook(name, outputDir, kernel);
      const executed: Notebook = readNotebook(result.outputPath);
      expect(outputProblems(executed)).toEqual([]);

      const codeCells = executed.cells.filter((cell) => cell.cell_type === 'code');
      for (const cell of codeCells) expect(cell.execution_count).toEqual(expect.any(Number));

      // Widgets: every displayed view has its model state stored in the metadata.
      const displayed = displayedWidgetIds(executed);
      const stored = storedWidgets(executed);
      const expected = EXPECTED_WIDGETS[name] ?? [];
      expect(displayed).toHaveLength(expected.length);
      for (const id of displayed) {
        expect(stored[id]).toBeDefined();
        expect(stored[id].model_module).toBe('@rlrp/widgets');
      }
      expect(displayed.map((id) => stored[id].model_name).sort()).toEqual([...expected].sort());
      for (const id of displayed) {
        const model = stored[id];
        expect(model.state['kind']).toEqual(expect.any(String));
        // Relevance travels as binary buffers, never as JSON arrays of numbers.
        if (model.model_name !== 'EvaluationPlotModel') {
          expect((model.buffers ?? []).length).toBeGreaterThan(0);
        }
        for (const buffer of model.buffers ?? []) expect(buffer.encoding).toBe('base64');
      }
      if (name === '02-layer-by-layer.ipynb') {
        // The notebook's central claim, checked on what the kernel actually printed: R-LRP keeps
        // the explained logit's magnitude as the L1 mass of every layer of the shipped CNN.
        const printed = executed.cells
          .flatMap((cell) => cell.outputs ?? [])
          .filter((output) => output.output_type === 'stream')
          .map((output) => joinText(output.text))
          .join('');
        expect(printed).toMatch(/^rlrp: Σ\|R\| = \|f\| at all \d+ layers/m);
      }
      // Every widget output keeps its text/plain and text/html fallbacks; the HTML one shows a
      // static picture (or table) of the widget wherever no widget manager runs.
      for (const cell of executed.cells) {
        for (const output of cell.outputs ?? []) {
          if (!output.data?.['application/vnd.jupyter.widget-view+json']) continue;
          expect(joinText(output.data['text/plain']).length).toBeGreaterThan(0);
          expect(joinText(output.data['text/html'])).toContain('class="rlrp-snapshot"');
        }
      }
    },
    NOTEBOOK_TIMEOUT_MS,
  );
});
