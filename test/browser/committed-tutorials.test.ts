/**
 * The committed tutorials as a reader opens them, in real Chromium with no network, without running
 * a cell: (a) in the live Notebook 6, where the nbextension draws every widget from the state saved
 * under metadata["rlrp-widgets"] (read-only, the fresh kernel holds none of them); (b) in plain
 * `jupyter nbconvert --to html` of the committed file, where each widget output shows its static
 * snapshot. Screenshots go to test-artifacts/browser/committed/.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleFrontends } from '../../src/build/workspace-build';
import { NEEDS_KERNEL } from '../../widgets/frontend/views/relevance-explorer';
import {
  EXPECTED_WIDGETS,
  NOTEBOOKS_DIR,
  displayedWidgetIds,
  readNotebook,
  storedWidgets,
} from '../../src/notebooks/notebook-runner';
import { artifactPath, launchChromium, type BrowserSession } from './support/chromium';
import { buildPackages, installKernelspec, SYSTEM_JUPYTER } from './support/kernel';
import { startNotebookServer, type NotebookServer } from './support/notebook-server';
import { startStaticServer, type StaticServer } from './support/static-server';

/** The element each widget's view draws once its figure is there. */
const DRAWN_SELECTOR: Readonly<Record<string, string>> = {
  RelevanceExplorerModel: '.rlrp-explorer[data-layer]',
  RuleComparisonModel: '.rlrp-comparison[data-maps]',
  EvaluationPlotModel: '.rlrp-evaluation[data-panels]',
};

const WITH_WIDGETS = Object.keys(EXPECTED_WIDGETS).sort();

/** How many views of each widget class the committed notebook displays. */
function displayedModels(name: string): Map<string, number> {
  const notebook = readNotebook(path.join(NOTEBOOKS_DIR, name));
  const stored = storedWidgets(notebook);
  const counts = new Map<string, number>();
  for (const id of displayedWidgetIds(notebook)) {
    const model = stored[id]?.model_name ?? `missing state for ${id}`;
    counts.set(model, (counts.get(model) ?? 0) + 1);
  }
  return counts;
}

describe('committed tutorials open with their figures, without re-running', () => {
  let dir: string;
  let notebookServer: NotebookServer;
  let staticServer: StaticServer;
  let session: BrowserSession;
  let jupyterPath: string;

  beforeAll(async () => {
    bundleFrontends();
    buildPackages();
    jupyterPath = installKernelspec();
    dir = path.dirname(artifactPath('committed/x'));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    // Copies, so the server's autosave and the HTML export never touch the committed files.
    for (const name of WITH_WIDGETS) {
      fs.copyFileSync(path.join(NOTEBOOKS_DIR, name), path.join(dir, name));
    }
    notebookServer = await startNotebookServer(dir, jupyterPath);
    staticServer = await startStaticServer();
    staticServer.mount('/html', dir);
    session = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await session?.close();
    await notebookServer?.stop();
    await staticServer?.close();
  });

  test.each(WITH_WIDGETS)(
    '%s: the live Notebook 6 draws every widget from the saved state',
    async (name) => {
      const displayed = displayedModels(name);
      expect([...displayed.keys()].sort()).toEqual([...EXPECTED_WIDGETS[name]].sort());
      const page = session.page;
      await page.goto(`${notebookServer.origin}/notebooks/${name}`);
      for (const [model, count] of displayed) {
        const drawn = page.locator(DRAWN_SELECTOR[model]);
        await drawn.first().waitFor({ timeout: 120_000 });
        expect(await drawn.count()).toBe(count);
        await drawn.first().scrollIntoViewIfNeeded();
        await drawn
          .first()
          .screenshot({ path: artifactPath(`committed/live-${name}-${model}.png`) });
      }
      // Nothing was run: each explorer is the read-only view of its saved state and says so.
      const statuses = await page.locator('.rlrp-explorer .rlrp-status').allTextContents();
      expect(statuses).toHaveLength(displayed.get('RelevanceExplorerModel') ?? 0);
      for (const status of statuses) expect(status).toContain(NEEDS_KERNEL);
      expect(session.externalRequests).toEqual([]);
    },
    180_000,
  );

  test.each(WITH_WIDGETS)(
    "%s: plain nbconvert --to html shows each widget's static snapshot",
    async (name) => {
      execFileSync(SYSTEM_JUPYTER, ['nbconvert', '--to', 'html', path.join(dir, name)], {
        stdio: 'pipe',
      });
      const htmlName = name.replace(/\.ipynb$/, '.html');
      const html = fs.readFileSync(path.join(dir, htmlName), 'utf8');
      // No widget manager page: the state stays out, the text/html fallbacks are used.
      expect(html).not.toContain('application/vnd.jupyter.widget-state+json');
      expect(html).not.toContain('application/vnd.jupyter.widget-view+json');
      const displayed = displayedModels(name);
      const pictures =
        (displayed.get('RelevanceExplorerModel') ?? 0) +
        (displayed.get('RuleComparisonModel') ?? 0);
      const tables = displayed.get('EvaluationPlotModel') ?? 0;
      const page = session.page;
      await page.goto(`${staticServer.origin}/html/${htmlName}`);
      const images = page.locator('.rlrp-fallback img.rlrp-snapshot');
      if (pictures > 0) await images.first().waitFor();
      const loaded = await images.evaluateAll((all) =>
        (all as HTMLImageElement[]).map((img) => img.complete && img.naturalWidth > 200),
      );
      expect(loaded).toEqual(new Array(pictures).fill(true));
      expect(await page.locator('.rlrp-fallback table.rlrp-snapshot').count()).toBe(tables);
      await page.screenshot({
        path: artifactPath(`committed/html-${htmlName}.png`),
        fullPage: true,
      });
    },
    120_000,
  );

  test('plain nbconvert --execute --to html shows the static snapshot, not an empty widget box', async () => {
    // nbclient records the widgets' state while it executes, so nbconvert would pick the widget
    // view, which needs a CDN for the unpublished @rlrp/widgets. The kernel sees it was started by
    // an HTML export and displays the text/html fallback instead (tslab-widgets static-export.ts).
    const htmlName = 'executed-01-quickstart.html';
    execFileSync(
      SYSTEM_JUPYTER,
      [
        'nbconvert',
        '--execute',
        '--to',
        'html',
        '--ExecutePreprocessor.timeout=300',
        '--output-dir',
        dir,
        '--output',
        htmlName,
        path.join(NOTEBOOKS_DIR, '01-quickstart.ipynb'),
      ],
      { stdio: 'pipe', env: { ...process.env, JUPYTER_PATH: jupyterPath } },
    );
    const html = fs.readFileSync(path.join(dir, htmlName), 'utf8');
    expect(html).not.toContain('<script type="application/vnd.jupyter.widget-view+json">');
    const page = session.page;
    await page.goto(`${staticServer.origin}/html/${htmlName}`);
    const image = page.locator('.rlrp-fallback img.rlrp-snapshot');
    await image.waitFor();
    expect(await image.count()).toBe(1);
    expect(
      await image.evaluate((img) => {
        const picture = img as HTMLImageElement;
        return picture.complete && picture.naturalWidth > 200;
      }),
    ).toBe(true);
    await page.screenshot({ path: artifactPath(`committed/html-${htmlName}.png`), fullPage: true });
  }, 400_000);
});
