/**
 * Live widgets in the classic Notebook 6 with the tslab-widgets kernel, in real Chromium: the
 * nbextension's own widget manager renders the RelevanceExplorer; dragging the layer slider
 * changes the displayed layer (front end only); switching the rule makes the kernel rerun the
 * backward pass and the heatmap data change. Then, in a fresh notebook on the same server, cells
 * typed key by key that name an earlier cell's binding through a shorthand property (issue #13
 * item 1: tslab alone throws a ReferenceError). Screenshots go to test-artifacts/browser/.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleFrontends, REPO_ROOT } from '../../src/build/workspace-build';
import { NEEDS_KERNEL } from '../../widgets/frontend/views/relevance-explorer';
import type { Page } from 'playwright-core';
import { artifactPath, launchChromium, type BrowserSession } from './support/chromium';
import { exportNotebookHtml } from '../../widgets/src/static-export';
import { readExplorer } from './support/explorer-readout';
import { buildPackages, installKernelspec, SYSTEM_JUPYTER } from './support/kernel';
import { writeEmptyNotebook, writeWidgetsNotebook } from './support/notebook';
import { typeAndRunCell, waitForKernel } from './support/notebook6-cells';
import { request } from './support/jupyter-process';
import { startNotebookServer, type NotebookServer } from './support/notebook-server';

// One notebook server and one Chromium for both describes: a server start costs seconds.
let server: NotebookServer;
let session: BrowserSession;
let dir: string;

beforeAll(async () => {
  bundleFrontends();
  buildPackages();
  const jupyterPath = installKernelspec();
  dir = path.dirname(artifactPath('live/x'));
  fs.rmSync(dir, { recursive: true, force: true });
  writeWidgetsNotebook(dir);
  server = await startNotebookServer(dir, jupyterPath);
  session = await launchChromium();
}, 300_000);

afterAll(async () => {
  await session?.close();
  await server?.stop();
});

describe('live RelevanceExplorer in Jupyter Notebook 6 on the tslab-widgets kernel', () => {
  it('runs the notebook and renders the live widgets through the nbextension', async () => {
    const page = session.page;
    await page.goto(`${server.origin}/notebooks/widgets.ipynb`);
    await waitForKernel(page);
    await page.evaluate(() => {
      (
        window as unknown as { Jupyter: { notebook: { execute_all_cells(): void } } }
      ).Jupyter.notebook.execute_all_cells();
    });
    await page.waitForSelector('.rlrp-explorer[data-layer]', { timeout: 180_000 });
    await page.waitForSelector('.rlrp-comparison[data-maps="4"]', { timeout: 120_000 });
    await page.waitForSelector('.rlrp-evaluation[data-panels="2"]', { timeout: 120_000 });
    const start = await readExplorer(page);
    expect(start.layer).toBe('7'); // the input layer of the 8-entry trace
    expect(start.label).toContain('input (InputLayer)');
    expect(start.z).toHaveLength(28);
    await page
      .locator('.rlrp-explorer')
      .screenshot({ path: artifactPath('live-explorer-input.png') });
    expect(session.externalRequests).toEqual([]);
  });

  it('runs with this package’s extension enabled and Debian’s jupyter-js-widgets disabled', async () => {
    const config = JSON.parse((await request(`${server.origin}/api/config/notebook`)).body) as {
      load_extensions?: Record<string, boolean>;
    };
    expect(config.load_extensions?.['rlrp-widgets/extension']).toBe(true);
    expect(config.load_extensions?.['jupyter-js-widgets/extension']).toBe(false);
  });

  it('dragging the layer slider changes the displayed layer without asking the kernel', async () => {
    const page = session.page;
    const slider = page.locator('.rlrp-explorer .rlrp-layer-slider');
    const box = await slider.boundingBox();
    if (!box) throw new Error('layer slider not visible');
    const generationBefore = (await readExplorer(page)).generation;
    await page.mouse.move(box.x + box.width - 4, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 2, box.y + box.height / 2, { steps: 10 });
    await page.mouse.up();
    await page.waitForFunction(
      () => (document.querySelector('.rlrp-explorer') as HTMLElement).dataset.layer === '0',
    );
    const output = await readExplorer(page);
    expect(output.label).toContain('output (Dense)');
    expect(output.mapType).toBe('bar');
    expect(output.generation).toBe(generationBefore);
    await page
      .locator('.rlrp-explorer')
      .screenshot({ path: artifactPath('live-explorer-output-layer.png') });

    // Next steps one layer towards the input: the dense hidden layer.
    await page.click('.rlrp-explorer .rlrp-next');
    await page.waitForFunction(
      () => (document.querySelector('.rlrp-explorer') as HTMLElement).dataset.layer === '1',
    );
    expect((await readExplorer(page)).label).toContain('dense_1');
  });

  it('switching the rule makes the kernel recompute and the heatmap data change', async () => {
    const page = session.page;
    // Back to the input layer with the keyboard (End on the focused range input).
    await page.focus('.rlrp-explorer .rlrp-layer-slider');
    await page.keyboard.press('End');
    await page.waitForFunction(
      () => (document.querySelector('.rlrp-explorer') as HTMLElement).dataset.layer === '7',
    );
    const before = await readExplorer(page);
    await page.selectOption('.rlrp-explorer .rlrp-rule', 'epsilon');
    await page.waitForFunction(
      (generation) =>
        (document.querySelector('.rlrp-explorer') as HTMLElement).dataset.generation !== generation,
      before.generation,
      { timeout: 60_000 },
    );
    const after = await readExplorer(page);
    expect(Number(after.generation)).toBe(Number(before.generation) + 1);
    expect(after.layer).toBe('7');
    expect(after.z).toHaveLength(28);
    expect(after.z).not.toEqual(before.z);
    const status = await page.locator('.rlrp-explorer .rlrp-status').textContent();
    expect(status).toMatch(/backward pass/);
    await page
      .locator('.rlrp-explorer')
      .screenshot({ path: artifactPath('live-explorer-epsilon.png') });
    await page.screenshot({ path: artifactPath('live-notebook.png'), fullPage: true });
    expect(session.externalRequests).toEqual([]);
    // Notebook 6's main.js always tries `widgets/notebook/js/extension` (its hard-coded ipywidgets
    // fallback); with no ipywidgets installed that request 404s. Everything else must be clean.
    const pageErrors = session.pageErrors.filter(
      (e) =>
        !/nbextensions\/widgets\/notebook\/js\/extension\.js/.test(e) &&
        !/Failed to load resource: the server responded with a status of 404/.test(e),
    );
    expect(pageErrors).toEqual([]);
  });

  it('a picked channel is fetched from the kernel on demand (the state holds channel sums)', async () => {
    const page = session.page;
    const explorer = page.locator('.rlrp-explorer');
    await page.focus('.rlrp-explorer .rlrp-layer-slider');
    await page.keyboard.press('End');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
    await page.waitForFunction(
      () => (document.querySelector('.rlrp-explorer') as HTMLElement).dataset.layer === '4',
    );
    expect(await explorer.locator('.rlrp-layer-label').textContent()).toContain('(Conv2D)');
    const summed = await readExplorer(page);
    expect(await explorer.locator('.rlrp-channel').isEnabled()).toBe(true);
    await page.selectOption('.rlrp-explorer .rlrp-channel', '1');
    await page.waitForFunction(
      () =>
        (
          document.querySelector('.rlrp-explorer .rlrp-map-plot') as HTMLElement & {
            layout: { title: { text: string } };
          }
        ).layout.title.text.includes('channel #1'),
      undefined,
      { timeout: 30_000 },
    );
    const single = await readExplorer(page);
    expect(single.z).toHaveLength(summed.z?.length ?? -1);
    expect(single.z).not.toEqual(summed.z);
    expect(single.generation).toBe(summed.generation);
    await page.selectOption('.rlrp-explorer .rlrp-channel', 'sum');
  });

  it('shows "computing…" while the kernel works and ends on the newest of two quick rule changes', async () => {
    const page = session.page;
    const before = await readExplorer(page);
    // Two changes in one task: the second is sent before the kernel can answer the first.
    const statusAfterFirst = await page.evaluate(() => {
      const select = document.querySelector('.rlrp-explorer .rlrp-rule') as HTMLSelectElement;
      select.value = 'gamma';
      select.dispatchEvent(new Event('change'));
      const status = (document.querySelector('.rlrp-explorer .rlrp-status') as HTMLElement)
        .textContent;
      select.value = 'lrp0';
      select.dispatchEvent(new Event('change'));
      return status;
    });
    expect(statusAfterFirst).toContain('computing…');
    await page.waitForFunction(
      () =>
        !(
          document.querySelector('.rlrp-explorer .rlrp-status') as HTMLElement
        ).textContent?.includes('computing'),
      undefined,
      { timeout: 60_000 },
    );
    const after = await readExplorer(page);
    expect(Number(after.generation)).toBeGreaterThan(Number(before.generation));
    expect(await page.locator('.rlrp-explorer .rlrp-rule').inputValue()).toBe('lrp0');
    expect(await page.locator('.rlrp-explorer .rlrp-status').textContent()).toMatch(
      /^LRP-0 — backward pass/,
    );
  });

  it('after saving and reloading the page, the widgets come back with their state from the kernel', async () => {
    const page = session.page;
    const generation = (await readExplorer(page)).generation;
    await page.evaluate(() =>
      (
        window as unknown as { Jupyter: { notebook: { save_notebook(): Promise<unknown> } } }
      ).Jupyter.notebook.save_notebook(),
    );
    await page.reload();
    await page.waitForSelector('.rlrp-explorer[data-layer]', { timeout: 120_000 });
    await page.waitForSelector('.rlrp-comparison[data-maps="4"]', { timeout: 60_000 });
    const restored = await readExplorer(page);
    expect(restored.generation).toBe(generation);
    expect(restored.z).toHaveLength(28);
    await page.screenshot({ path: artifactPath('live-after-reload.png'), fullPage: true });
  });

  it('saves the widget state with the notebook, compact, and draws it read-only with a new kernel', async () => {
    const notebookPath = path.join(dir, 'widgets.ipynb');
    const saved = JSON.parse(fs.readFileSync(notebookPath, 'utf8')) as {
      metadata: Record<string, { state: Record<string, { model_name: string }> } | undefined>;
    };
    // Saved under the extension's own key, not `metadata.widgets` (see SAVED_STATE_METADATA_KEY).
    expect(saved.metadata.widgets).toBeUndefined();
    const states = Object.values(saved.metadata['rlrp-widgets']?.state ?? {});
    const explorerState = states.find((m) => m.model_name === 'RelevanceExplorerModel');
    expect(explorerState).toBeDefined();
    // Target ≤ 500 KB per MNIST explorer; the compact state is far below it.
    expect(JSON.stringify(explorerState).length).toBeLessThan(100_000);

    const page = session.page;
    // Shut the kernel down through the page (the REST call needs the page's XSRF cookie); the
    // reloaded page starts a new kernel, which holds no widgets.
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) =>
          (
            window as unknown as {
              Jupyter: {
                notebook: { kernel: { kill(ok: () => void, failed: (e: unknown) => void): void } };
              };
            }
          ).Jupyter.notebook.kernel.kill(resolve, reject),
        ),
    );
    await page.reload();
    await page.waitForSelector('.rlrp-explorer[data-layer]', { timeout: 120_000 });
    const explorer = page.locator('.rlrp-explorer');
    expect(await explorer.locator('.rlrp-rule').isDisabled()).toBe(true);
    expect(await explorer.locator('.rlrp-status').textContent()).toContain(NEEDS_KERNEL);
    // The maps came back from the saved binary values: 28 rows of finite, not all zero, values.
    const restored = await readExplorer(page);
    expect(restored.z).toHaveLength(28);
    const values = restored.z?.flat() ?? [];
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values.some((v) => v !== 0)).toBe(true);
    await page.screenshot({ path: artifactPath('live-from-saved-state.png'), fullPage: true });
  });

  it('the saved notebook converts to HTML: plain nbconvert shows the pictures, export-html the widgets', () => {
    const notebookPath = path.join(dir, 'widgets.ipynb');
    const out = path.join(dir, 'html');
    fs.mkdirSync(out, { recursive: true });
    execFileSync(SYSTEM_JUPYTER, ['nbconvert', '--to', 'html', '--output-dir', out, notebookPath], {
      stdio: 'pipe',
    });
    const plain = fs.readFileSync(path.join(out, 'widgets.html'), 'utf8');
    expect(plain).toContain('<img class="rlrp-snapshot"');
    expect(plain).not.toContain('application/vnd.jupyter.widget-state+json');
    const exported = fs.readFileSync(
      exportNotebookHtml(notebookPath, {
        outputDir: path.join(out, 'export'),
        jupyter: SYSTEM_JUPYTER,
      }),
      'utf8',
    );
    expect(exported).toContain('application/vnd.jupyter.widget-state+json');
    expect(exported).toContain('RelevanceExplorerModel');
  });
});

describe("typed cells in Notebook 6: an earlier cell's bindings, your own image", () => {
  let page: Page;

  beforeAll(async () => {
    writeEmptyNotebook(dir, 'earlier-cell-bindings.ipynb');
    // README's `loadImage('my-digit.png', { model })`, with a real digit drawn dark on white.
    fs.copyFileSync(
      path.join(REPO_ROOT, 'notebooks', 'images', 'black-on-white-3.png'),
      path.join(dir, 'my-digit.png'),
    );
    fs.copyFileSync(
      path.join(REPO_ROOT, 'notebooks', 'images', 'photo-of-a-4.jpg'),
      path.join(dir, 'photo-of-a-4.jpg'),
    );
    page = await session.context.newPage();
    await page.goto(`${server.origin}/notebooks/earlier-cell-bindings.ipynb`);
    await waitForKernel(page);
  }, 180_000);

  afterAll(async () => {
    await page?.screenshot({
      path: artifactPath('live-earlier-cell-bindings.png'),
      fullPage: true,
    });
    await page?.close();
  });

  it('the issue’s repro: a shorthand property naming the previous cell’s `model`', async () => {
    expect((await typeAndRunCell(page, 'const model = 41;')).output).toBe('');
    expect((await typeAndRunCell(page, 'const o = { model }; o.model')).output).toBe('41');
  });

  it('a shorthand beside a spread, and a destructuring default assigning an earlier binding', async () => {
    expect((await typeAndRunCell(page, 'const base = { a: 1 }; let picked = 0;')).output).toBe('');
    expect((await typeAndRunCell(page, '({ model, ...base })')).output).toBe('{ model: 41, a: 1 }');
    expect((await typeAndRunCell(page, '({ picked = model } = {}); picked')).output).toBe('41');
    // The value went to the earlier cell's `picked`, not to a new global of that name.
    expect((await typeAndRunCell(page, "[picked, Reflect.has(globalThis, 'picked')]")).output).toBe(
      '[ 41, false ]',
    );
  });

  it('README’s lines: the model in one cell, `loadImage(…, { model })` in the next, then explain', async () => {
    const modelDir = path.relative(dir, path.join(REPO_ROOT, 'models', 'mnist-cnn'));
    const loaded = await typeAndRunCell(
      page,
      [
        "import { initEngine, loadModelFromDir } from '@rlrp/core';",
        'await initEngine();',
        `const model = await loadModelFromDir('${modelDir}');`,
        'model.inputs[0].shape',
      ].join('\n'),
    );
    expect(loaded.output).toBe('[ null, 28, 28, 1 ]');
    const image = await typeAndRunCell(
      page,
      [
        "import { loadImage, explain } from '@rlrp/core';",
        "const image = await loadImage('my-digit.png', { model });",
        'image.shape',
      ].join('\n'),
    );
    // Had that cell failed, tslab would have rolled its imports back: the next cell would not
    // know `explain`. Both cells run before asserting, so a failure shows what each displayed.
    const explained = await typeAndRunCell(
      page,
      [
        "const { relevance } = explain(model, image, { rule: 'rlrp', target: 'predicted' });",
        'relevance.shape',
      ].join('\n'),
    );
    expect([image.output, explained.output]).toEqual(['[ 1, 28, 28, 1 ]', '[ 1, 28, 28, 1 ]']);
    expect(session.externalRequests).toEqual([]);
  });

  it('your own image (#13 item 4): a dark-on-white digit needs invert, a photo says it is stretched', async () => {
    // The same dark-on-white 3, read as is and inverted: only the inverted one is a 3.
    const predicted = await typeAndRunCell(
      page,
      [
        "const top = (input: typeof image) => explain(model, input, { rule: 'rlrp' }).target[0];",
        "[top(image), top(await loadImage('my-digit.png', { model, invert: true }))]",
      ].join('\n'),
    );
    expect(predicted.output).toMatch(/^\[ \d, 3 \]$/);
    expect(predicted.output).not.toBe('[ 3, 3 ]');
    // A 320×240 photo squashed to 28×28 is said to be, with the options that keep its shape.
    const photo = await typeAndRunCell(
      page,
      "const photo = await loadImage('photo-of-a-4.jpg', { model }); photo.shape",
    );
    expect(photo.output).toContain('is 320×240 and is stretched to 28×28');
    expect(photo.output).toContain("fit: 'contain'");
    expect(photo.output).toContain('[ 1, 28, 28, 1 ]');
    const contained = await typeAndRunCell(
      page,
      "top(await loadImage('photo-of-a-4.jpg', { model, fit: 'contain', invert: true }))",
    );
    expect(contained.output).toBe('4');
  });
});
