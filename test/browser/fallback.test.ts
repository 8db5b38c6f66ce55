/**
 * The text/html fallback alone, in real Chromium with no network: with plotly inline it is drawn
 * by the explorer's own view over a read-only model of the saved state (one renderer), which
 * disables what needs a kernel and says so; without plotly it is a static snapshot picture.
 */
import {
  explorerSnapshot,
  fallbackHtml,
  savedViewState,
  snapshotHtml,
} from '../../widgets/src/index';
import { bundleFrontends } from '../../src/build/workspace-build';
import { NEEDS_KERNEL } from '../../widgets/frontend/views/relevance-explorer';
import { artifactPath, launchChromium, type BrowserSession } from './support/chromium';
import { startStaticServer, type StaticServer } from './support/static-server';
import { syntheticExplorerState } from './support/synthetic-trace';

function page(body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"></head><body>${body}</body></html>`;
}

describe('text/html fallback in real Chromium', () => {
  let server: StaticServer;
  let session: BrowserSession;
  const state = syntheticExplorerState();
  const layers = state.layers;

  beforeAll(async () => {
    bundleFrontends();
    server = await startStaticServer();
    const content = {
      state: savedViewState({ ...state }),
      staticHtml: snapshotHtml(
        explorerSnapshot(state.input, layers[layers.length - 1], 'bwr'),
        'synthetic CNN snapshot',
      ),
    };
    server.page('/interactive.html', page(fallbackHtml(content, 'inline')));
    server.page('/snapshot.html', page(fallbackHtml(content, 'none')));
    session = await launchChromium();
  });

  afterAll(async () => {
    await session?.close();
    await server?.close();
  });

  it('draws the live explorer view over the saved state, starting at the input layer, offline', async () => {
    await session.page.goto(`${server.origin}/interactive.html`);
    await session.page.waitForSelector('.rlrp-fallback .rlrp-explorer[data-layer]', {
      timeout: 30000,
    });
    const explorer = session.page.locator('.rlrp-fallback .rlrp-explorer');
    expect(await explorer.getAttribute('data-layer')).toBe(String(layers.length - 1));
    // The snapshot gives way to the view.
    expect(await session.page.locator('.rlrp-static').isVisible()).toBe(false);
    // Input and relevance heatmaps are drawn (plotly paints heatmaps into an <image>).
    expect(await explorer.locator('.rlrp-map-plot g.hm image').count()).toBe(1);
    expect(await explorer.locator('.rlrp-input-plot g.hm image').count()).toBe(1);
    const z = await session.page.evaluate(() => {
      const gd = document.querySelector('.rlrp-map-plot') as HTMLElement & {
        data: { z: number[][] }[];
      };
      return gd.data[0].z;
    });
    expect(z).toHaveLength(28);
    expect(z[0]).toHaveLength(28);
    // No kernel: rule, target and channel controls are disabled and say why.
    for (const selector of ['.rlrp-rule', '.rlrp-target', '.rlrp-target-search']) {
      expect(await explorer.locator(selector).isDisabled()).toBe(true);
      expect(await explorer.locator(selector).getAttribute('title')).toBe(NEEDS_KERNEL);
    }
    const status = await explorer.locator('.rlrp-status').textContent();
    expect(status).toContain(NEEDS_KERNEL);
    expect(status).not.toContain('computing');
    // ε is shown with the current rule; the target menu lists every class, most probable first.
    expect(await explorer.locator('.rlrp-rule option:checked').textContent()).toBe(
      'LRP-ε (ε = 0.000001)',
    );
    const targets = await explorer.locator('.rlrp-target option').allTextContents();
    expect(targets).toHaveLength(10);
    expect(targets[0]).toMatch(/^digit 3 — 50\.0 %/);
    await session.page.screenshot({ path: artifactPath('fallback-input-layer.png') });
    expect(session.externalRequests).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });

  it('steps through the layers like the live view (a front-end-only change)', async () => {
    const explorer = session.page.locator('.rlrp-fallback .rlrp-explorer');
    await explorer.locator('.rlrp-prev').click();
    await session.page.waitForFunction(
      (n) => (document.querySelector('.rlrp-explorer') as HTMLElement).dataset.layer === n,
      String(layers.length - 2),
    );
    // conv_1 [14×14×4]: its channel sum, 14 rows.
    const rows = await session.page.evaluate(() => {
      const gd = document.querySelector('.rlrp-map-plot') as HTMLElement & {
        data: { z: number[][] }[];
      };
      return gd.data[0].z.length;
    });
    expect(rows).toBe(14);
    expect(await explorer.locator('.rlrp-layer-label').textContent()).toContain(
      'conv_1 (Conv2D) [14×14×4]',
    );
    // Picking a single channel needs the kernel (the saved state holds channel sums).
    expect(await explorer.locator('.rlrp-channel').isDisabled()).toBe(true);
    await explorer.locator('.rlrp-layer-slider').fill('0');
    await session.page.waitForFunction(
      () => (document.querySelector('.rlrp-explorer') as HTMLElement).dataset.layer === '0',
    );
    expect(await explorer.locator('.rlrp-bar-plot .bars path').count()).toBe(10);
    await session.page.screenshot({ path: artifactPath('fallback-output-layer.png') });
    expect(session.pageErrors).toEqual([]);
  });

  it('shows the static snapshot where plotly is not available', async () => {
    await session.page.goto(`${server.origin}/snapshot.html`);
    const image = session.page.locator('.rlrp-fallback img.rlrp-snapshot');
    await image.waitFor();
    const size = await image.evaluate((img: HTMLImageElement) => [
      img.complete,
      img.naturalWidth,
      img.naturalHeight,
    ]);
    // Two 224-px tiles (input, relevance) side by side with 8-px gaps.
    expect(size).toEqual([true, 2 * 224 + 3 * 8, 224 + 2 * 8]);
    expect(await session.page.locator('.rlrp-caption').textContent()).toBe(
      'synthetic CNN snapshot',
    );
    expect(await session.page.locator('script').count()).toBe(0);
    expect(session.externalRequests).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });
});
