import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleFrontends, REPO_ROOT } from '../../../src/build/workspace-build';
import { installLabextension } from '../../../widgets/src/labextension-install';
import { artifactPath } from './chromium';
import { buildJupyterLabApp, buildLabextension } from './jupyterlab-build';
import { startJupyterLabServer, type JupyterLabServer } from './jupyterlab-server';
import { buildPackages, installKernelspec } from './kernel';

/** Notebook 01, relative to the served folder (as it is to the repository). */
export const NOTEBOOK_01 = 'notebooks/01-quickstart.ipynb';

/** A running test JupyterLab / Notebook 7 server and what it was set up with. */
export interface LabWorkspace {
  server: JupyterLabServer;
  /** Stops the server and removes the extension's install prefix. */
  stop(): Promise<void>;
}

/**
 * What the JupyterLab and Notebook 7 tests both start from: the packages, front ends, the
 * prebuilt extension and the test application built; the kernelspec and the extension installed
 * into private prefixes (the extension the way `rlrp-widgets install-labextension --prefix`
 * installs it); a folder under test-artifacts/`name` with a copy of notebook 01 and a link to
 * models/ (it loads `../models/mnist-cnn`), which `prepare` may add to; and Debian's
 * jupyter_server serving the application on it.
 */
export async function startLabWorkspace(
  name: string,
  prepare: (notebooksDir: string) => void = () => undefined,
): Promise<LabWorkspace> {
  bundleFrontends();
  buildPackages();
  buildLabextension();
  const build = buildJupyterLabApp();
  const kernels = installKernelspec();
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'rlrp-labextension-'));
  const removePrefix = () => fs.rmSync(prefix, { recursive: true, force: true });
  try {
    installLabextension({ scope: 'prefix', prefix });
    const root = path.dirname(artifactPath(`${name}/x`));
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(path.join(root, 'notebooks'), { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, NOTEBOOK_01), path.join(root, NOTEBOOK_01));
    fs.symlinkSync(path.join(REPO_ROOT, 'models'), path.join(root, 'models'));
    prepare(path.join(root, 'notebooks'));
    const server = await startJupyterLabServer({
      rootDir: root,
      build,
      jupyterPath: [kernels, path.join(prefix, 'share', 'jupyter')],
    });
    return {
      server,
      stop: async () => {
        await server.stop();
        removePrefix();
      },
    };
  } catch (error) {
    removePrefix();
    throw error;
  }
}
