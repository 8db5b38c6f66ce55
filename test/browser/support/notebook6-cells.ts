/**
 * Driving the classic Notebook 6 page the way a person does: open a notebook and wait for its
 * kernel, click into the last cell, type code key by key, press Shift+Enter and read what the
 * cell's output area shows once the kernel is idle again.
 */
import type { Page } from 'playwright-core';

/** The part of Notebook 6's `window.Jupyter` these helpers read. */
interface NotebookWindow {
  Jupyter?: {
    notebook?: {
      kernel?: { is_connected(): boolean };
      get_selected_cell(): { get_text(): string };
    };
  };
}

/** Waits until the page's notebook has a connected kernel (it starts one on opening). */
export async function waitForKernel(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    () => (window as NotebookWindow).Jupyter?.notebook?.kernel?.is_connected() === true,
    undefined,
    { timeout },
  );
}

/** What a run cell shows: its input prompt (`In [3]:`) and the text of its output area. */
export interface CellRun {
  prompt: string;
  output: string;
}

/**
 * Clicks into the notebook's last cell, types `code` (Enter between lines), runs it with
 * Shift+Enter and waits until the cell has its execution count and the kernel is idle.
 * Throws if the editor holds anything but `code` before the run: CodeMirror's bracket
 * auto-closing and auto-indenting must not have changed what was typed.
 */
export async function typeAndRunCell(
  page: Page,
  code: string,
  timeout = 120_000,
): Promise<CellRun> {
  const cells = page.locator('#notebook-container .cell');
  // By position, not `.last()`: Shift+Enter on the last cell adds an empty one below it.
  const cell = cells.nth((await cells.count()) - 1);
  await cell.locator('.CodeMirror').click();
  const lines = code.split('\n');
  for (const [index, line] of lines.entries()) {
    if (index > 0) await page.keyboard.press('Enter');
    await page.keyboard.type(line);
  }
  const typed = await page.evaluate(() =>
    (window as NotebookWindow).Jupyter?.notebook?.get_selected_cell().get_text(),
  );
  if (typed !== code) {
    throw new Error(`The cell holds ${JSON.stringify(typed)} after typing ${JSON.stringify(code)}`);
  }
  await page.keyboard.press('Shift+Enter');
  // Notebook 6 shows `In [*]:` while the cell runs and the execution count once it replied; the
  // kernel's idle status comes after the cell's last output.
  const prompt = cell.locator('.input_prompt');
  await prompt.filter({ hasText: /In\s*\[\d+\]/ }).waitFor({ timeout });
  await page.locator('#kernel_indicator_icon.kernel_idle_icon').waitFor({ timeout });
  const outputs = await cell.locator('.output_area .output_subarea').allInnerTexts();
  return { prompt: (await prompt.innerText()).trim(), output: outputs.join('\n').trim() };
}
