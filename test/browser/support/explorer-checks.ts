/**
 * The checks every live front end's test makes on notebook 01's explorer (JupyterLab 4, Notebook 7):
 * one source, so the front ends are held to the same behaviour. `scope` selects the notebook panel.
 */
import type { Locator, Page } from 'playwright-core';
import { NEEDS_KERNEL } from '../../../widgets/frontend/views/relevance-explorer';
import { readExplorer, waitForExplorerGeneration, waitForExplorerLayer } from './explorer-readout';

const explorerIn = (scope: string) => `${scope} .rlrp-explorer`;

/** After "run all": the explorer shows the input layer of its 8-entry trace, a 28×28 map. */
export async function expectExplorerAtInput(page: Page, scope: string): Promise<void> {
  await page.waitForSelector(`${explorerIn(scope)}[data-layer]`, { timeout: 240_000 });
  const start = await readExplorer(page, scope);
  expect(start.layer).toBe('7');
  expect(start.label).toContain('input (InputLayer)');
  expect(start.z).toHaveLength(28);
}

/** Home, next, End: the front end steps through the layers without asking the kernel. */
export async function expectFrontEndStepping(page: Page, scope: string): Promise<void> {
  const generation = (await readExplorer(page, scope)).generation;
  await page.focus(`${explorerIn(scope)} .rlrp-layer-slider`);
  await page.keyboard.press('Home');
  await waitForExplorerLayer(page, scope, '0');
  const output = await readExplorer(page, scope);
  expect(output.label).toContain('output (Dense)');
  expect(output.mapType).toBe('bar');
  await page.click(`${explorerIn(scope)} .rlrp-next`);
  await waitForExplorerLayer(page, scope, '1');
  expect((await readExplorer(page, scope)).label).toContain('dense_1');
  await page.focus(`${explorerIn(scope)} .rlrp-layer-slider`);
  await page.keyboard.press('End');
  await waitForExplorerLayer(page, scope, '7');
  expect((await readExplorer(page, scope)).generation).toBe(generation);
}

/**
 * Switches the rule to LRP-ε: the kernel recomputes exactly once and the input heatmap changes.
 * Saves a screenshot of the explorer to `screenshot`.
 */
export async function expectRuleSwitchRecomputes(
  page: Page,
  scope: string,
  screenshot: string,
): Promise<void> {
  const before = await readExplorer(page, scope);
  await page.selectOption(`${explorerIn(scope)} .rlrp-rule`, 'epsilon');
  await waitForExplorerGeneration(page, scope, before.generation);
  const after = await readExplorer(page, scope);
  expect(Number(after.generation)).toBe(Number(before.generation) + 1);
  expect(after.layer).toBe('7');
  expect(after.z).toHaveLength(28);
  expect(after.z).not.toEqual(before.z);
  const explorer = page.locator(explorerIn(scope));
  await explorer.scrollIntoViewIfNeeded();
  await explorer.screenshot({ path: screenshot });
}

/** The explorer's controls that send the kernel a message: rule, target (and its search), channel. */
const KERNEL_CONTROLS = ['.rlrp-rule', '.rlrp-target', '.rlrp-target-search', '.rlrp-channel'];

/** A page with no kernel (an export): those controls are disabled and say so, as does the status. */
export async function expectKernelControlsDisabled(explorer: Locator): Promise<void> {
  for (const control of KERNEL_CONTROLS) {
    expect(await explorer.locator(control).isDisabled()).toBe(true);
    expect(await explorer.locator(control).getAttribute('title')).toBe(NEEDS_KERNEL);
  }
  expect(await explorer.locator('.rlrp-status').textContent()).toContain(NEEDS_KERNEL);
}

/** A live page: those controls are enabled and nothing says a kernel is needed. */
export async function expectKernelControlsEnabled(explorer: Locator): Promise<void> {
  for (const control of KERNEL_CONTROLS) {
    expect(await explorer.locator(control).isEnabled()).toBe(true);
    expect(await explorer.locator(control).getAttribute('title')).toBeNull();
  }
  expect(await explorer.locator('.rlrp-status').textContent()).not.toContain(NEEDS_KERNEL);
}
