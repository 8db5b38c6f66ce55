/**
 * `jupyter nbconvert --execute` (Debian's nbconvert + nbclient) of a notebook on the tslab-widgets
 * kernelspec stores the widget state in the notebook metadata, including kernel-side changes made
 * after display and binary values, and keeps the widget-view output with its fallbacks; an export
 * straight to HTML shows the fallbacks instead, since no front end will draw the views.
 */
import { execFileSync, spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import type { InstalledKernelspec } from './helpers/kernelspec';
import { installKernelspecForTest, REPO_ROOT } from './helpers/kernelspec';

const JUPYTER = process.env['TSLAB_WIDGETS_JUPYTER'] ?? '/usr/bin/jupyter';

function codeCell(source: string) {
  return { cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source };
}

const NOTEBOOK = {
  cells: [
    codeCell(`import { Widget, display, traits } from 'tslab-widgets';`),
    codeCell(
      [
        `class Gauge extends Widget<{ value: number; samples: Float32Array }> {`,
        `  constructor() {`,
        `    super({`,
        `      model: { module: 'gauge-widgets', version: '^1.0.0', name: 'GaugeModel' },`,
        `      view: { module: 'gauge-widgets', version: '^1.0.0', name: 'GaugeView' },`,
        `      state: { value: 1, samples: new Float32Array([1, 2]) },`,
        `      traits: { value: traits.number() },`,
        `    });`,
        `  }`,
        `  // Its module is on no CDN: an HTML export shows the fallback.`,
        `  protected override viewInStaticHtmlExport(): boolean {`,
        `    return false;`,
        `  }`,
        `  protected override htmlFallback(): string {`,
        `    return '<p>gauge at ' + this.get('value') + '</p>';`,
        `  }`,
        `}`,
        `const gauge = new Gauge();`,
        `display(gauge);`,
      ].join('\n'),
    ),
    codeCell(`gauge.set({ value: 5, samples: new Float32Array([0.25, 0.5, 0.75]) });`),
  ],
  metadata: {
    kernelspec: {
      name: 'tslab-widgets',
      display_name: 'TypeScript (tslab + widgets)',
      language: 'typescript',
    },
    language_info: { name: 'typescript' },
  },
  nbformat: 4,
  nbformat_minor: 5,
};

interface StoredModel {
  model_name: string;
  model_module: string;
  model_module_version: string;
  state: Record<string, unknown>;
  buffers?: { path: (string | number)[]; data: string; encoding: string }[];
}

describe('nbconvert --execute stores widget state', () => {
  let spec: InstalledKernelspec;
  let dir: string;
  beforeAll(() => {
    spec = installKernelspecForTest();
    // Inside the repository, so TypeScript resolves \`import ... from 'tslab-widgets'\` with types.
    mkdirSync(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
    dir = mkdtempSync(join(REPO_ROOT, 'test-artifacts', 'kernel-nbconvert-'));
  });
  afterAll(() => {
    spec?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('widget state (with binary buffers) lands in metadata.widgets', () => {
    writeFileSync(join(dir, 'widget.ipynb'), JSON.stringify(NOTEBOOK, null, 1));
    execFileSync(
      JUPYTER,
      [
        'nbconvert',
        '--to',
        'notebook',
        '--execute',
        '--ExecutePreprocessor.timeout=120',
        '--output',
        'executed.ipynb',
        'widget.ipynb',
      ],
      { cwd: dir, env: spec.env, stdio: 'pipe' },
    );
    const executed = JSON.parse(readFileSync(join(dir, 'executed.ipynb'), 'utf8'));
    const widgets = executed.metadata.widgets['application/vnd.jupyter.widget-state+json'];
    expect(widgets.version_major).toBe(2);
    const models = Object.entries(widgets.state as Record<string, StoredModel>);
    expect(models).toHaveLength(1);
    const [modelId, model] = models[0];
    expect(model.model_name).toBe('GaugeModel');
    expect(model.model_module).toBe('gauge-widgets');
    expect(model.model_module_version).toBe('^1.0.0');
    expect(model.state['_view_name']).toBe('GaugeView');
    expect(model.state['value']).toBe(5); // the later kernel-side update was recorded
    const samples = model.buffers?.find((b) => b.path.join('.') === 'samples');
    expect(samples?.encoding).toBe('base64');
    const bytes = Buffer.from(samples?.data ?? '', 'base64');
    expect(Array.from(new Float32Array(new Uint8Array(bytes).buffer))).toEqual([0.25, 0.5, 0.75]);

    const output = executed.cells[1].outputs[0];
    expect(output.output_type).toBe('display_data');
    expect(output.data['application/vnd.jupyter.widget-view+json'].model_id).toBe(modelId);
    // nbformat may store a string as a list of lines
    const text = (value: string | string[]) => ([] as string[]).concat(value).join('');
    expect(text(output.data['text/html'])).toBe('<p>gauge at 1</p>');
    expect(text(output.data['text/plain'])).toEqual(expect.stringContaining('Gauge'));
  });

  test('--execute --to html: the kernel knows no front end will draw views and shows the fallback', () => {
    writeFileSync(join(dir, 'widget.ipynb'), JSON.stringify(NOTEBOOK, null, 1));
    const run = spawnSync(
      JUPYTER,
      ['nbconvert', '--to', 'html', '--execute', '--output', 'exported.html', 'widget.ipynb'],
      { cwd: dir, env: spec.env, encoding: 'utf8' },
    );
    // (its stderr shown when it fails)
    expect({ status: run.status, stderr: run.stderr }).toMatchObject({ status: 0 });
    // the kernel says why, in nbconvert's own log
    expect(run.stderr).toContain('started by jupyter nbconvert --to html');
    const html = readFileSync(join(dir, 'exported.html'), 'utf8');
    expect(html).not.toContain('<script type="application/vnd.jupyter.widget-view+json">');
    expect(html).toContain('<p>gauge at 1</p>');
  });
});
