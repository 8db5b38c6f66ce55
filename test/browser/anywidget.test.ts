/**
 * The anywidget shell: widgets made with `frontend: 'anywidget'` carry the view bundle in `_esm`
 * and name anywidget's AnyModel/AnyView. The real anywidget front end (npm `anywidget`, its AMD
 * build) loaded by html-manager in a static export imports that ES module and renders the views,
 * in Chromium with no kernel and no network.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportNotebookHtml } from '../../widgets/src/static-export';
import { bundleFrontends } from '../../src/build/workspace-build';
import { artifactPath, launchChromium, type BrowserSession } from './support/chromium';
import { expectKernelControlsDisabled } from './support/explorer-checks';
import {
  buildPackages,
  executeNotebook,
  installKernelspec,
  SYSTEM_JUPYTER,
} from './support/kernel';
import { writeWidgetsNotebook } from './support/notebook';
import { startStaticServer, type StaticServer } from './support/static-server';

describe('anywidget front end renders the _esm views', () => {
  let server: StaticServer;
  let session: BrowserSession;
  let htmlPath: string;

  beforeAll(async () => {
    bundleFrontends();
    buildPackages();
    const jupyterPath = installKernelspec();
    const dir = path.dirname(artifactPath('anywidget/x'));
    fs.rmSync(dir, { recursive: true, force: true });
    const notebook = writeWidgetsNotebook(dir, 'widgets.ipynb', 'anywidget');
    const executed = path.join(dir, 'widgets.executed.ipynb');
    executeNotebook(notebook, executed, jupyterPath);
    htmlPath = exportNotebookHtml(executed, { jupyter: SYSTEM_JUPYTER });
    server = await startStaticServer();
    server.mount('/export', dir);
    session = await launchChromium();
  }, 600_000);

  afterAll(async () => {
    await session?.close();
    await server?.close();
  });

  it('stores AnyModel widgets whose _esm is this package’s ES module', () => {
    const executed = JSON.parse(fs.readFileSync(htmlPath.replace(/\.html$/, '.ipynb'), 'utf8'));
    const models = Object.values(
      executed.metadata.widgets['application/vnd.jupyter.widget-state+json'].state,
    ) as {
      model_module: string;
      model_name: string;
      state: { _esm: string; kind: string };
    }[];
    expect(models.map((m) => `${m.model_module}:${m.model_name}`)).toEqual([
      'anywidget:AnyModel',
      'anywidget:AnyModel',
      'anywidget:AnyModel',
    ]);
    expect(models.map((m) => m.state.kind).sort()).toEqual([
      'evaluation-plot',
      'relevance-explorer',
      'rule-comparison',
    ]);
    expect(models[0].state._esm).toMatch(/export\s*\{/);
  });

  it('draws every widget through anywidget, offline', async () => {
    const page = session.page;
    await page.goto(`${server.origin}/export/${path.basename(htmlPath)}`);
    await page.waitForSelector('.rlrp-explorer[data-layer="7"]', { timeout: 60_000 });
    await page.waitForSelector('.rlrp-comparison[data-maps="4"]', { timeout: 60_000 });
    await page.waitForSelector('.rlrp-evaluation[data-panels="2"]', { timeout: 60_000 });
    expect(await page.locator('.rlrp-explorer .rlrp-map-plot g.hm image').count()).toBe(1);
    expect(await page.locator('.rlrp-comparison g.hm image').count()).toBe(5);
    // Stepping layers works through anywidget's model proxy too.
    await page.click('.rlrp-explorer .rlrp-prev');
    await page.waitForSelector('.rlrp-explorer[data-layer="6"]');
    // anywidget's model proxy has no comm_live: the exporter's mark in the saved state says
    // there is no kernel, so rule, target and channel are disabled and say so.
    await expectKernelControlsDisabled(page.locator('.rlrp-explorer'));
    await page.screenshot({ path: artifactPath('anywidget-export.png'), fullPage: true });
    expect(session.externalRequests).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });
});
