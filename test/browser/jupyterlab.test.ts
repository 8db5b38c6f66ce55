/**
 * Live widgets in JupyterLab 4: a JupyterLab 4.6 application assembled from npm packages
 * (support/jupyterlab-app) served by Debian's jupyter_server 1.23 + jupyterlab_server 2.16, with
 * the prebuilt @rlrp/jupyterlab-widgets extension installed by `rlrp-widgets install-labextension
 * --prefix` and found in `share/jupyter/labextensions` on JUPYTER_PATH, as a user's Lab finds it.
 * Headless Chromium opens notebook 01 on the tslab-widgets kernel, runs all cells, steps through
 * the layers, switches the rule (the kernel reruns the backward pass), reloads the page (the widget
 * state comes back from the kernel), then runs the widgets through anywidget's npm front end.
 *
 * RLRP_JUPYTERLAB_SCREENSHOT=FILE also writes the explorer's screenshot to FILE (npm run
 * figures:jupyterlab → docs/images/jupyterlab-explorer.png).
 */
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../../src/build/workspace-build';
import { LABEXTENSION_NAME } from '../../widgets/src/labextension-install';
import { PLUGIN_ID } from '../../widgets/labextension/src/plugin-id';
import { artifactPath, launchChromium, type BrowserSession } from './support/chromium';
import { readExplorer, waitForExplorerGeneration } from './support/explorer-readout';
import {
  expectExplorerAtInput,
  expectFrontEndStepping,
  expectKernelControlsEnabled,
  expectRuleSwitchRecomputes,
} from './support/explorer-checks';
import type { JupyterLabServer } from './support/jupyterlab-server';
import { NOTEBOOK_01, startLabWorkspace, type LabWorkspace } from './support/lab-workspace';
import { writeWidgetsNotebook } from './support/notebook';

/** The parts of the JupyterLab application object (`window.jupyterapp`) the test drives. */
interface LabApp {
  commands: { execute(id: string, args?: Record<string, unknown>): Promise<unknown> };
  isPluginActivated(id: string): boolean;
  shell: { currentWidget: NotebookPanelLike | null };
}
/** A Lumino signal, as far as the test listens to it. */
interface SignalLike {
  connect(slot: (sender: unknown, value: string) => void): boolean;
}
interface NotebookPanelLike {
  context: { ready: Promise<void>; path: string };
  sessionContext: {
    ready: Promise<void>;
    kernelDisplayStatus: string;
    session: { kernel: { name: string; connectionStatus: string } | null } | null;
    statusChanged: SignalLike;
    connectionStatusChanged: SignalLike;
  };
}
type LabWindow = typeof globalThis & {
  jupyterapp?: LabApp;
  /** What the kernel of each notebook openNotebook opened went through, for a timeout's message. */
  rlrpKernelLog?: Record<string, string[]>;
};

/** How long a notebook's kernel may take to start, like the project's other browser waits. */
const KERNEL_IDLE_TIMEOUT_MS = 120_000;

/** The notebook panel on screen (JupyterLab hides the others with `lm-mod-hidden`). */
const VISIBLE_NOTEBOOK = '.jp-NotebookPanel:not(.lm-mod-hidden)';
const ANYWIDGET_NOTEBOOK = 'notebooks/anywidget.ipynb';

async function openLab(page: Page, server: JupyterLabServer, query = ''): Promise<void> {
  await page.goto(server.url(`/lab${query}`));
  await page.waitForFunction(() => (window as LabWindow).jupyterapp !== undefined, undefined, {
    timeout: 120_000,
  });
}

/**
 * Opens a notebook (or brings it forward) and waits for its tslab-widgets kernel to be idle. When
 * it is not idle in time, the error lists the kernel's statuses and connection states since the
 * notebook opened, with the time of each: a kernel that never started reads otherwise like one that
 * started and then died or restarted.
 */
async function openNotebook(page: Page, notebookPath: string): Promise<void> {
  // No async function here: ts-jest's output for it calls a helper (__awaiter) the page lacks.
  await page.evaluate((file) => {
    const lab = window as LabWindow;
    const app = lab.jupyterapp as LabApp;
    return app.commands
      .execute('docmanager:open', { path: file, factory: 'Notebook' })
      .then((widget) => {
        const panel = widget as NotebookPanelLike;
        const logs = lab.rlrpKernelLog ?? (lab.rlrpKernelLog = {});
        // Listened to once per page: a notebook brought forward again keeps its listeners.
        const listening = logs[file] !== undefined;
        const log = logs[file] ?? (logs[file] = []);
        const note = (what: string) =>
          log.push(`${(performance.now() / 1000).toFixed(1)} s ${what}`);
        note(`opened, kernel ${panel.sessionContext.kernelDisplayStatus}`);
        if (!listening) {
          panel.sessionContext.statusChanged.connect((_, status) => note(`kernel ${status}`));
          panel.sessionContext.connectionStatusChanged.connect((_, status) =>
            note(`connection ${status}`),
          );
        }
        return panel.context.ready.then(() => panel.sessionContext.ready);
      });
  }, notebookPath);
  try {
    await page.waitForFunction(
      (file) => {
        const panel = (window as LabWindow).jupyterapp?.shell.currentWidget;
        return (
          panel?.context.path === file &&
          panel.sessionContext.session?.kernel?.name === 'tslab-widgets' &&
          panel.sessionContext.kernelDisplayStatus === 'idle'
        );
      },
      notebookPath,
      { timeout: KERNEL_IDLE_TIMEOUT_MS },
    );
  } catch (error) {
    const state = await page.evaluate((file) => {
      const lab = window as LabWindow;
      const panel = lab.jupyterapp?.shell.currentWidget;
      const kernel = panel?.sessionContext.session?.kernel;
      return {
        now: `${(performance.now() / 1000).toFixed(1)} s`,
        onScreen: panel?.context.path ?? null,
        kernel: kernel ? `${kernel.name}, ${kernel.connectionStatus}` : null,
        status: panel?.sessionContext.kernelDisplayStatus ?? null,
        log: lab.rlrpKernelLog?.[file] ?? [],
      };
    }, notebookPath);
    throw new Error(
      `${notebookPath}'s tslab-widgets kernel was not idle in ${KERNEL_IDLE_TIMEOUT_MS / 1000} s ` +
        `(${(error as Error).message}); ` +
        `at ${state.now}: on screen ${state.onScreen}, kernel ${state.kernel}, status ${state.status}; ` +
        `since the notebook opened: ${state.log.join('; ')}`,
    );
  }
}

async function runAllCells(page: Page): Promise<void> {
  await page.evaluate(() =>
    ((window as LabWindow).jupyterapp as LabApp).commands.execute('notebook:run-all-cells'),
  );
}

describe('live widgets in JupyterLab 4 (npm front end on Debian jupyter_server 1.23)', () => {
  let server: JupyterLabServer;
  let session: BrowserSession;
  let workspace: LabWorkspace;

  beforeAll(async () => {
    workspace = await startLabWorkspace('jupyterlab', (notebooks) =>
      writeWidgetsNotebook(notebooks, 'anywidget.ipynb', 'anywidget'),
    );
    server = workspace.server;
    session = await launchChromium();
  }, 900_000);

  afterAll(async () => {
    await session?.close();
    await workspace?.stop();
  });

  it('loads the prebuilt extension from labextensions and registers it with the widget manager', async () => {
    const page = session.page;
    // `?reset`: start from an empty workspace.
    await openLab(page, server, '?reset');
    const loaded = await page.evaluate(
      ([extension, plugin]) => {
        const app = (window as LabWindow).jupyterapp as LabApp;
        const config = JSON.parse(
          (document.getElementById('jupyter-config-data') as HTMLElement).textContent ?? '{}',
        ) as { federated_extensions?: { name: string; load: string }[] };
        return {
          federated: (config.federated_extensions ?? []).map((e) => e.name),
          extension: app.isPluginActivated(plugin),
          manager: app.isPluginActivated('@jupyter-widgets/jupyterlab-manager:plugin'),
          anywidget: app.isPluginActivated('rlrp-test-jupyterlab:anywidget'),
          remote: Object.keys(
            (window as unknown as { _JUPYTERLAB: Record<string, unknown> })._JUPYTERLAB,
          ),
          extensionName: extension,
        };
      },
      [LABEXTENSION_NAME, PLUGIN_ID] as const,
    );
    expect(loaded.federated).toEqual([LABEXTENSION_NAME]);
    expect(loaded.remote).toContain(LABEXTENSION_NAME);
    expect(loaded).toMatchObject({ extension: true, manager: true, anywidget: true });
    expect(session.pageErrors).toEqual([]);
  });

  it('opens notebook 01 on the tslab-widgets kernel, runs all cells and shows the live explorer', async () => {
    const page = session.page;
    await openNotebook(page, NOTEBOOK_01);
    await runAllCells(page);
    await expectExplorerAtInput(page, VISIBLE_NOTEBOOK);
    expect(session.externalRequests).toEqual([]);
  }, 400_000);

  it('steps through the layers in the front end', async () => {
    const page = session.page;
    await expectFrontEndStepping(page, VISIBLE_NOTEBOOK);
  });

  it('switching the rule makes the kernel recompute and the heatmap change', async () => {
    const page = session.page;
    await expectRuleSwitchRecomputes(
      page,
      VISIBLE_NOTEBOOK,
      artifactPath('jupyterlab-explorer.png'),
    );
    const figure = process.env.RLRP_JUPYTERLAB_SCREENSHOT;
    if (figure) await page.screenshot({ path: path.resolve(REPO_ROOT, figure) });
  });

  it('after saving and reloading the page, the widget comes back with its state from the kernel', async () => {
    const page = session.page;
    const generation = (await readExplorer(page, VISIBLE_NOTEBOOK)).generation;
    await page.evaluate(() =>
      ((window as LabWindow).jupyterapp as LabApp).commands.execute('docmanager:save'),
    );
    await openLab(page, server);
    await openNotebook(page, NOTEBOOK_01);
    await page.waitForSelector(`${VISIBLE_NOTEBOOK} .rlrp-explorer[data-layer]`, {
      timeout: 120_000,
    });
    const restored = await readExplorer(page, VISIBLE_NOTEBOOK);
    expect(restored.generation).toBe(generation);
    expect(restored.z).toHaveLength(28);
    await page.screenshot({ path: artifactPath('jupyterlab-after-reload.png') });
  });

  it("renders the same widgets through anywidget's npm front end (frontend: 'anywidget')", async () => {
    const page = session.page;
    await openNotebook(page, ANYWIDGET_NOTEBOOK);
    await runAllCells(page);
    await page.waitForSelector(`${VISIBLE_NOTEBOOK} .rlrp-explorer[data-layer]`, {
      timeout: 240_000,
    });
    await page.waitForSelector(`${VISIBLE_NOTEBOOK} .rlrp-comparison[data-maps="4"]`, {
      timeout: 120_000,
    });
    await page.waitForSelector(`${VISIBLE_NOTEBOOK} .rlrp-evaluation[data-panels="2"]`, {
      timeout: 120_000,
    });
    // Live through anywidget (no comm_live on its model proxy): what needs the kernel is enabled.
    await expectKernelControlsEnabled(page.locator(`${VISIBLE_NOTEBOOK} .rlrp-explorer`));
    const before = await readExplorer(page, VISIBLE_NOTEBOOK);
    await page.selectOption(`${VISIBLE_NOTEBOOK} .rlrp-explorer .rlrp-rule`, 'epsilon');
    await waitForExplorerGeneration(page, VISIBLE_NOTEBOOK, before.generation);
    const after = await readExplorer(page, VISIBLE_NOTEBOOK);
    expect(after.z).not.toEqual(before.z);
    await page.screenshot({ path: artifactPath('jupyterlab-anywidget.png') });
    expect(session.externalRequests).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  }, 400_000);
});
