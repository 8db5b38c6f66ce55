/**
 * The text/html fallback alone: a page holding nothing but the fallback HTML of a trace renders
 * an interactive plotly figure with no network, and its slider steps through the layers.
 */
import { PNG } from 'pngjs';
import { fallbackFigure } from '../../widgets/src/fallback/fallback-figure';
import { fallbackHtml } from '../../widgets/src/fallback/fallback-html';
import { bundleFrontends } from '../../src/build/workspace-build';
import { artifactPath, launchChromium, type BrowserSession } from './support/chromium';
import { startStaticServer, type StaticServer } from './support/static-server';
import { syntheticInput, syntheticTrace } from './support/synthetic-trace';

interface FigureState {
  layer: string | undefined;
  visible: boolean[];
  types: string[];
  title: string;
  zRows: number;
}

/** Reads what plotly currently shows from the graph div. */
async function figureState(session: BrowserSession): Promise<FigureState> {
  return session.page.evaluate(() => {
    const gd = document.querySelector('.rlrp-fallback') as HTMLElement & {
      data: { visible?: boolean; type: string; z?: unknown[] }[];
      layout: { title: { text: string } };
    };
    const shown = gd.data.find((t, i) => i < gd.data.length - 1 && t.visible === true);
    return {
      layer: gd.dataset.layer,
      visible: gd.data.map((t) => t.visible !== false),
      types: gd.data.map((t) => t.type),
      title: gd.layout.title.text,
      zRows: shown?.z ? shown.z.length : 0,
    };
  });
}

/** Pixels of the relevance subplot (x/y) whose colour is not a shade of grey. */
async function colouredPixelsOfRelevancePlot(session: BrowserSession): Promise<number> {
  const box = await session.page.locator('.rlrp-fallback .xy .nsewdrag').first().boundingBox();
  if (!box) throw new Error('the relevance subplot is not on the page');
  const png = PNG.sync.read(await session.page.screenshot({ clip: box }));
  let coloured = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
    if (Math.max(r, g, b) - Math.min(r, g, b) > 40) coloured += 1;
  }
  return coloured;
}

describe('text/html fallback in real Chromium', () => {
  let server: StaticServer;
  let session: BrowserSession;
  const layers = syntheticTrace();

  beforeAll(async () => {
    bundleFrontends();
    server = await startStaticServer();
    const html = fallbackHtml(fallbackFigure('synthetic CNN', layers, syntheticInput(), 'bwr'));
    server.page(
      '/fallback.html',
      `<!doctype html><html><head><meta charset="utf-8"></head><body>${html}</body></html>`,
    );
    session = await launchChromium();
  });

  afterAll(async () => {
    await session?.close();
    await server?.close();
  });

  it('renders the input layer first, with every layer as a trace and no network', async () => {
    await session.page.goto(`${server.origin}/fallback.html`);
    await session.page.waitForSelector('.rlrp-fallback[data-ready="true"]', { timeout: 30000 });
    const state = await figureState(session);
    // One trace per layer plus the input picture.
    expect(state.types).toEqual(['bar', 'bar', 'bar', 'heatmap', 'heatmap', 'heatmap', 'heatmap']);
    expect(state.layer).toBe(String(layers.length - 1));
    expect(state.visible).toEqual([false, false, false, false, false, true, true]);
    expect(state.zRows).toBe(28);
    expect(state.title).toContain('input (InputLayer)');
    // The heatmap really is drawn: plotly paints heatmaps into an <image> inside the SVG.
    expect(await session.page.locator('.rlrp-fallback g.hm image').count()).toBeGreaterThanOrEqual(
      2,
    );
    await session.page.screenshot({ path: artifactPath('fallback-input-layer.png') });
    // …and visible: the relevance subplot shows coloured cells (an opaque background of the bar
    // subplot sharing its area once hid it while the <image> was there).
    expect(await colouredPixelsOfRelevancePlot(session)).toBeGreaterThan(20);
    expect(session.externalRequests).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });

  it('steps to another layer when the slider is dragged and clicked', async () => {
    const rail = session.page.locator('.rlrp-fallback .slider-rail-rect');
    const box = await rail.boundingBox();
    if (!box) throw new Error('plotly slider rail not found');
    // Drag the grip from the right end (input layer) to the left end (output layer).
    const grip = session.page.locator('.rlrp-fallback .slider-grip-rect');
    const gripBox = await grip.boundingBox();
    if (!gripBox) throw new Error('plotly slider grip not found');
    await session.page.mouse.move(gripBox.x + gripBox.width / 2, gripBox.y + gripBox.height / 2);
    await session.page.mouse.down();
    await session.page.mouse.move(box.x + 2, box.y + box.height / 2, { steps: 8 });
    await session.page.mouse.up();
    await session.page.waitForFunction(
      () => (document.querySelector('.rlrp-fallback') as HTMLElement).dataset.layer === '0',
    );
    let state = await figureState(session);
    expect(state.visible).toEqual([true, false, false, false, false, false, true]);
    expect(state.title).toContain('logits (Dense)');
    await session.page.screenshot({ path: artifactPath('fallback-output-layer.png') });

    // Click the step of the first convolution (trace position 3 of 6 → 3/5 of the rail).
    await session.page.mouse.click(box.x + (box.width * 3) / 5, box.y + box.height / 2);
    await session.page.waitForFunction(
      () => (document.querySelector('.rlrp-fallback') as HTMLElement).dataset.layer === '3',
    );
    state = await figureState(session);
    expect(state.visible).toEqual([false, false, false, true, false, false, true]);
    expect(state.zRows).toBe(7);
    expect(state.title).toContain('conv_2 (Conv2D) [7×7×8]');
    await session.page.screenshot({ path: artifactPath('fallback-conv-layer.png') });
    expect(session.pageErrors).toEqual([]);
  });
});
