/**
 * Live widgets in Notebook 7: Notebook 7's front end (@jupyter-notebook/application's NotebookApp
 * and NotebookShell with the plugins Notebook 7 loads on its notebook page) from the same npm build
 * as the JupyterLab test (support/jupyterlab-app), served by Debian's jupyter_server 1.23 at
 * /notebooks/<path> as Notebook 7's server serves it, with the prebuilt @rlrp/jupyterlab-widgets
 * extension installed by `rlrp-widgets install-labextension --prefix` and found on JUPYTER_PATH.
 * Headless Chromium opens notebook 01 from its URL (the page opens the document itself), starts
 * the tslab-widgets kernel, runs all cells, steps through the layers, switches the rule (the kernel
 * reruns the backward pass), and reloads the page (the widget state comes back from the kernel).
 */
import type { Page } from 'playwright-core';
import { LABEXTENSION_NAME } from '../../widgets/src/labextension-install';
import { PLUGIN_ID } from '../../widgets/labextension/src/plugin-id';
import { artifactPath, launchChromium, type BrowserSession } from './support/chromium';
import { readExplorer } from './support/explorer-readout';
import {
  expectExplorerAtInput,
  expectFrontEndStepping,
  expectRuleSwitchRecomputes,
} from './support/explorer-checks';
import type { JupyterLabServer } from './support/jupyterlab-server';
import { NOTEBOOK_01, startLabWorkspace, type LabWorkspace } from './support/lab-workspace';

/** The parts of the Notebook 7 application object (`window.jupyterapp`) the test drives. */
interface NotebookApp {
  name: string;
  commands: { execute(id: string, args?: Record<string, unknown>): Promise<unknown> };
  isPluginActivated(id: string): boolean;
  shell: { currentWidget: NotebookPanelLike | null };
}
interface NotebookPanelLike {
  isDisposed: boolean;
  context: { path: string };
  sessionContext: {
    kernelDisplayStatus: string;
    session: { kernel: { name: string } | null } | null;
  };
}
type NotebookWindow = typeof globalThis & { jupyterapp?: NotebookApp };

/** Notebook 7's shell shows one document, in its main panel. */
const NOTEBOOK = '#main-panel .jp-NotebookPanel';

/**
 * Loads Notebook 7's page of notebook 01 and waits until the page has opened it (from the URL)
 * with its tslab-widgets kernel idle. The test never calls `docmanager:open`: Notebook 7's opener
 * would open a second browser tab and dispose the panel it was given.
 */
async function openNotebookPage(page: Page, server: JupyterLabServer): Promise<void> {
  await page.goto(server.url(`/notebooks/${NOTEBOOK_01}`));
  await page.waitForFunction(
    (file) => {
      const panel = (window as NotebookWindow).jupyterapp?.shell.currentWidget;
      return (
        panel?.context.path === file &&
        !panel.isDisposed &&
        panel.sessionContext.session?.kernel?.name === 'tslab-widgets' &&
        panel.sessionContext.kernelDisplayStatus === 'idle'
      );
    },
    NOTEBOOK_01,
    { timeout: 120_000 },
  );
}

function execute(page: Page, command: string): Promise<unknown> {
  return page.evaluate(
    (id) => ((window as NotebookWindow).jupyterapp as NotebookApp).commands.execute(id),
    command,
  );
}

describe('live widgets in Notebook 7 (npm front end on Debian jupyter_server 1.23)', () => {
  let server: JupyterLabServer;
  let session: BrowserSession;
  let workspace: LabWorkspace;

  beforeAll(async () => {
    workspace = await startLabWorkspace('notebook7');
    server = workspace.server;
    session = await launchChromium();
  }, 900_000);

  afterAll(async () => {
    await session?.close();
    await workspace?.stop();
  });

  it('opens notebook 01 in Notebook 7 on the tslab-widgets kernel with the prebuilt extension', async () => {
    const page = session.page;
    await openNotebookPage(page, server);
    const loaded = await page.evaluate((plugin) => {
      const app = (window as NotebookWindow).jupyterapp as NotebookApp;
      return {
        name: app.name,
        shell: app.isPluginActivated('@jupyter-notebook/application-extension:shell'),
        opener: app.isPluginActivated('@jupyter-notebook/docmanager-extension:opener'),
        extension: app.isPluginActivated(plugin),
        manager: app.isPluginActivated('@jupyter-widgets/jupyterlab-manager:plugin'),
        remote: Object.keys(
          (window as unknown as { _JUPYTERLAB: Record<string, unknown> })._JUPYTERLAB,
        ),
      };
    }, PLUGIN_ID);
    expect(loaded).toMatchObject({
      name: 'Jupyter Notebook',
      shell: true,
      opener: true,
      extension: true,
      manager: true,
    });
    expect(loaded.remote).toContain(LABEXTENSION_NAME);
    expect(await page.locator(NOTEBOOK).count()).toBe(1);
  }, 200_000);

  it('runs all cells and shows the live explorer', async () => {
    const page = session.page;
    await execute(page, 'notebook:run-all-cells');
    await expectExplorerAtInput(page, NOTEBOOK);
    expect(session.externalRequests).toEqual([]);
  }, 400_000);

  it('steps through the layers in the front end', async () => {
    const page = session.page;
    await expectFrontEndStepping(page, NOTEBOOK);
  });

  it('switching the rule makes the kernel recompute and the heatmap change', async () => {
    const page = session.page;
    await expectRuleSwitchRecomputes(page, NOTEBOOK, artifactPath('notebook7-explorer.png'));
  });

  it('after saving and reloading the page, the widget comes back with its state from the kernel', async () => {
    const page = session.page;
    const generation = (await readExplorer(page, NOTEBOOK)).generation;
    await execute(page, 'docmanager:save');
    await openNotebookPage(page, server);
    await page.waitForSelector(`${NOTEBOOK} .rlrp-explorer[data-layer]`, { timeout: 120_000 });
    const restored = await readExplorer(page, NOTEBOOK);
    expect(restored.generation).toBe(generation);
    expect(restored.z).toHaveLength(28);
    await page.screenshot({ path: artifactPath('notebook7-after-reload.png') });
    expect(session.externalRequests).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  }, 200_000);
});
