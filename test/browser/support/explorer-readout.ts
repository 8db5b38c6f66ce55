/**
 * What a browser test reads off a rendered RelevanceExplorer: the layer shown, the kernel's
 * generation counter, the layer label, the plot type and the heatmap's data.
 */
import type { Page } from 'playwright-core';

/** The explorer's visible state. */
export interface ExplorerReadout {
  layer: string | undefined;
  generation: string | undefined;
  label: string;
  mapType: string;
  z: number[][] | undefined;
}

/** Reads the first `.rlrp-explorer` under `scope` (a CSS selector; default the whole page). */
export async function readExplorer(page: Page, scope = ':root'): Promise<ExplorerReadout> {
  return page.evaluate((scopeSelector) => {
    const root = document.querySelector(`${scopeSelector} .rlrp-explorer`) as HTMLElement;
    const shown = root.dataset.layerKind === 'dense' ? '.rlrp-bar-plot' : '.rlrp-map-plot';
    const plot = root.querySelector(shown) as HTMLElement & {
      data: { type: string; z?: number[][] }[];
    };
    const heat = plot.data.find(
      (t) => t.type === 'heatmap' && t.z && t.z.length > 0 && !('showscale' in t),
    );
    return {
      layer: root.dataset.layer,
      generation: root.dataset.generation,
      label: (root.querySelector('.rlrp-layer-label') as HTMLElement).textContent ?? '',
      mapType: plot.data[plot.data.length - 1].type,
      z: heat?.z,
    };
  }, scope);
}

/** Waits until the explorer under `scope` shows a kernel generation other than `previous`. */
export async function waitForExplorerGeneration(
  page: Page,
  scope: string,
  previous: string | undefined,
): Promise<void> {
  await page.waitForFunction(
    ([scopeSelector, generation]) =>
      (document.querySelector(`${scopeSelector} .rlrp-explorer`) as HTMLElement | null)?.dataset
        .generation !== generation,
    [scope, previous] as const,
    { timeout: 60_000 },
  );
}

/** Waits until the explorer under `scope` shows `layer`. */
export async function waitForExplorerLayer(
  page: Page,
  scope: string,
  layer: string,
): Promise<void> {
  await page.waitForFunction(
    ([scopeSelector, wanted]) =>
      (document.querySelector(`${scopeSelector} .rlrp-explorer`) as HTMLElement | null)?.dataset
        .layer === wanted,
    [scope, layer] as const,
  );
}
