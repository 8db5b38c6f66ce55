/**
 * Static export: a notebook executed by nbclient on the tslab-widgets kernel (widget state stored
 * in the notebook), converted with `jupyter nbconvert --to html`, localised by
 * @rlrp/widgets' post-processing, renders every widget's plotly figure in Chromium with no
 * kernel and no network.
 */
import { execFileSync } from 'node:child_process';
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

describe('static HTML export renders the widgets without a kernel', () => {
  let server: StaticServer;
  let session: BrowserSession;
  let htmlPath: string;

  beforeAll(async () => {
    bundleFrontends();
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

  it('front-end-only controls work without a kernel (overlay, colour map, play); what needs one is disabled and says so', async () => {
    const page = session.page;
    const explorer = page.locator('.rlrp-explorer');
    const mapData = () =>
      page.evaluate(() => {
        const gd = document.querySelector('.rlrp-explorer .rlrp-map-plot') as HTMLElement & {
          data: {
            type: string;
            z?: number[][];
            opacity?: number;
            colorscale?: [number, string][];
          }[];
        };
        return gd.data.map((t) => ({
          type: t.type,
          rows: t.z?.length ?? 0,
          first: t.z?.[0]?.[0],
          sum: t.z?.flat().reduce((a, b) => a + b, 0) ?? 0,
          opacity: t.opacity,
          colorscale: t.colorscale,
        }));
      });
    const layerIs = (n: number) =>
      page.waitForFunction(
        (want) => (document.querySelector('.rlrp-explorer') as HTMLElement).dataset.layer === want,
        String(n),
      );
    // conv_2 is trace position 4 of 8: a spatial layer with several channels.
    await page.focus('.rlrp-explorer .rlrp-layer-slider');
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await layerIs(4);
    expect(await explorer.locator('.rlrp-layer-label').textContent()).toContain('conv_2 (Conv2D)');
    // The state holds channel sums; single channels, rules and targets need the kernel.
    await expectKernelControlsDisabled(explorer);

    // A redraw keeps menus that list the same entries: their option elements are not built again
    // (on VGG16 that was 1000 classes and 513 channel entries per step). A layer with another
    // number of channels gets its own entries.
    const markOptions = () =>
      page.evaluate(() =>
        document
          .querySelectorAll<HTMLOptionElement>('.rlrp-explorer select option')
          .forEach((o) => {
            o.dataset.kept = 'yes';
          }),
      );
    const channelEntries = () =>
      page.evaluate(() =>
        Array.from(
          document.querySelectorAll<HTMLOptionElement>('.rlrp-explorer .rlrp-channel option'),
          (o) => `${o.value}:${o.textContent}:${o.dataset.kept ?? 'new'}`,
        ),
      );
    type MapPlot = HTMLElement & { data: { colorscale?: [number, string][] }[] };
    const before = await page.evaluate(
      () =>
        (document.querySelector('.rlrp-explorer .rlrp-map-plot') as MapPlot).data[0]
          .colorscale?.[0]?.[1],
    );
    await markOptions();
    await page.selectOption('.rlrp-explorer .rlrp-colormap', 'seismic');
    await page.waitForFunction(
      (was) =>
        (document.querySelector('.rlrp-explorer .rlrp-map-plot') as MapPlot).data[0]
          .colorscale?.[0]?.[1] !== was,
      before,
    );
    // conv_2 [14×14×32]: "sum of 32" and one entry per channel, all kept.
    const kept = await channelEntries();
    expect(kept).toHaveLength(33);
    expect(kept[0]).toBe('sum:sum of 32:yes');
    expect(kept.filter((entry) => !entry.endsWith(':yes'))).toEqual([]);
    expect(
      await page.evaluate(
        () =>
          document.querySelectorAll('.rlrp-explorer .rlrp-colormap option:not([data-kept])').length,
      ),
    ).toBe(0);
    // pool_1 [14×14×16], one step towards the input: its own 17 entries.
    await page.focus('.rlrp-explorer .rlrp-layer-slider');
    await page.keyboard.press('ArrowRight');
    await layerIs(5);
    const rebuilt = await channelEntries();
    expect(rebuilt[0]).toBe('sum:sum of 16:new');
    expect(rebuilt.filter((entry) => entry.endsWith(':new'))).toHaveLength(17);

    // Overlay: the input picture under the relevance, input plot hidden, opacity from the slider.
    await page.focus('.rlrp-explorer .rlrp-layer-slider');
    await page.keyboard.press('End');
    await layerIs(7);
    await page.check('.rlrp-explorer .rlrp-overlay');
    await page.waitForFunction(() => {
      const gd = document.querySelector('.rlrp-explorer .rlrp-map-plot') as HTMLElement & {
        data: unknown[];
      };
      return gd.data.length === 2;
    });
    const overlaid = await mapData();
    expect(overlaid[1].opacity).toBeCloseTo(0.6);
    expect(await explorer.locator('.rlrp-input-plot').isVisible()).toBe(false);
    await explorer.screenshot({ path: artifactPath('static-explorer-overlay.png') });
    await page.uncheck('.rlrp-explorer .rlrp-overlay');

    // Colour map: a front-end restyle.
    await page.selectOption('.rlrp-explorer .rlrp-colormap', 'coldnhot');
    await page.waitForFunction(() => {
      const gd = document.querySelector('.rlrp-explorer .rlrp-map-plot') as HTMLElement & {
        data: { colorscale?: [number, string][] }[];
      };
      // coldnhot is black at its centre (relevance 0).
      return gd.data[0].colorscale?.find(([at]) => at === 0.5)?.[1] === '#000000';
    });

    // Play walks from the output layer towards the input.
    await page.click('.rlrp-explorer .rlrp-play');
    await layerIs(0);
    await layerIs(1);
    await page.click('.rlrp-explorer .rlrp-play'); // pause
    expect(session.pageErrors).toEqual([]);
  });

  it('evaluation plot: a legend click hides the method in every panel, a second shows it again', async () => {
    const page = session.page;
    const visibility = () =>
      page.evaluate(() =>
        Array.from(document.querySelectorAll('.rlrp-evaluation-panel')).map((panel) =>
          (panel as HTMLElement & { data: { legendgroup: string; visible?: unknown }[] }).data.map(
            (t) => `${t.legendgroup}:${String(t.visible ?? true)}`,
          ),
        ),
      );
    expect(await visibility()).toEqual([
      ['rlrp:true', 'epsilon:true'],
      ['rlrp:true', 'epsilon:true'],
    ]);
    const firstLegend = page.locator('.rlrp-evaluation-panel').first().locator('.legend .traces');
    await firstLegend.nth(1).click();
    await page.waitForFunction(
      () =>
        (document.querySelector('.rlrp-evaluation') as HTMLElement).dataset.hidden === 'epsilon',
    );
    expect(await visibility()).toEqual([
      ['rlrp:true', 'epsilon:legendonly'],
      ['rlrp:true', 'epsilon:legendonly'],
    ]);
    await page.locator('.rlrp-evaluation-panel').nth(1).locator('.legend .traces').nth(1).click();
    await page.waitForFunction(
      () => (document.querySelector('.rlrp-evaluation') as HTMLElement).dataset.hidden === '',
    );
    expect(await visibility()).toEqual([
      ['rlrp:true', 'epsilon:true'],
      ['rlrp:true', 'epsilon:true'],
    ]);
    expect(session.pageErrors).toEqual([]);
  });

  it("plain nbconvert of the notebook without widget state shows each widget's static picture", async () => {
    // What a notebook saved without widget state becomes through `jupyter nbconvert --to html`:
    // nbconvert falls through to each output's text/html fallback.
    const dir = path.dirname(htmlPath);
    const executed = JSON.parse(fs.readFileSync(htmlPath.replace(/\.html$/, '.ipynb'), 'utf8')) as {
      metadata: Record<string, unknown>;
    };
    delete executed.metadata.widgets;
    const stateless = path.join(dir, 'stateless.ipynb');
    fs.writeFileSync(stateless, JSON.stringify(executed));
    execFileSync(SYSTEM_JUPYTER, ['nbconvert', '--to', 'html', stateless], { stdio: 'pipe' });
    const page = session.page;
    await page.goto(`${server.origin}/export/stateless.html`);
    const pictures = page.locator('.rlrp-fallback img.rlrp-snapshot');
    await pictures.first().waitFor();
    const sizes = await pictures.evaluateAll((images) =>
      (images as HTMLImageElement[]).map((img) => [img.complete, img.naturalWidth > 200]),
    );
    // The explorer (input + relevance) and the rule comparison (input + 4 rules).
    expect(sizes).toEqual([
      [true, true],
      [true, true],
    ]);
    expect(await page.locator('.rlrp-fallback table.rlrp-snapshot td').first().textContent()).toBe(
      'rlrp',
    );
    await page.screenshot({ path: artifactPath('static-plain-nbconvert.png'), fullPage: true });
  });
});
