/**
 * Static export: a notebook executed by nbclient on the tslab-widgets kernel (widget state stored
 * in the notebook), converted with `jupyter nbconvert --to html`, localised by
 * @rlrp/widgets' post-processing, renders every widget's plotly figure in Chromium with no
 * kernel and no network.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportNotebookHtml } from '../../widgets/src/static-export';
import { buildFrontends } from './support/build';
import { artifactPath, launchChromium, type BrowserSession } from './support/chromium';
import {
  buildPackages,
  executeNotebook,
  installKernelspec,
  SYSTEM_JUPYTER,
} from './support/kernel';
import { writeWidgetsNotebook } from './support/notebook';
import { startStaticServer, type StaticServer } from './support/static-server';

describe('static HTML export renders the widgets without a kernel', () => {
  let server: StaticServer;
  let session: BrowserSession;
  let htmlPath: string;

  beforeAll(async () => {
    buildFrontends();
    buildPackages();
    const jupyterPath = installKernelspec();
    const dir = path.dirname(artifactPath('static/x'));
    fs.rmSync(dir, { recursive: true, force: true });
    const notebook = writeWidgetsNotebook(dir);
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

  it('stores the state of the three widgets in the notebook', () => {
    const executed = JSON.parse(fs.readFileSync(htmlPath.replace(/\.html$/, '.ipynb'), 'utf8'));
    const state = executed.metadata.widgets['application/vnd.jupyter.widget-state+json'].state;
    const names = Object.values(state).map((m) => (m as { model_name: string }).model_name);
    expect(names.sort()).toEqual([
      'EvaluationPlotModel',
      'RelevanceExplorerModel',
      'RuleComparisonModel',
    ]);
    const html = fs.readFileSync(htmlPath, 'utf8');
    expect(html).not.toMatch(/unpkg\.com|cdnjs|file:\/\//);
  });

  it('draws every widget from the embedded state, offline', async () => {
    const page = session.page;
    await page.goto(`${server.origin}/export/${path.basename(htmlPath)}`);
    // RelevanceExplorer: input and relevance heatmaps, mass chart.
    await page.waitForSelector('.rlrp-explorer[data-layer]', { timeout: 60_000 });
    await page.waitForSelector('.rlrp-comparison[data-maps="4"]', { timeout: 60_000 });
    await page.waitForSelector('.rlrp-evaluation[data-panels="2"]', { timeout: 60_000 });
    expect(await page.locator('.rlrp-explorer .rlrp-map-plot g.hm image').count()).toBe(1);
    expect(await page.locator('.rlrp-explorer .rlrp-input-plot g.hm image').count()).toBe(1);
    expect(await page.locator('.rlrp-explorer .rlrp-mass .bars path').count()).toBeGreaterThan(3);
    // RuleComparison: the input plus one heatmap per rule on one colour axis.
    expect(await page.locator('.rlrp-comparison g.hm image').count()).toBe(5);
    expect(await page.locator('.rlrp-evaluation .scatterlayer .trace').count()).toBe(4);
    // The input layer's relevance is a 28×28 map with non-zero values.
    const z = await page.evaluate(() => {
      const gd = document.querySelector('.rlrp-explorer .rlrp-map-plot') as HTMLElement & {
        data: { z: number[][] }[];
      };
      return gd.data[0].z;
    });
    expect(z).toHaveLength(28);
    expect(z.flat().some((v) => v !== 0)).toBe(true);
    await page.screenshot({ path: artifactPath('static-export.png'), fullPage: true });
    expect(session.externalRequests).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });
});
