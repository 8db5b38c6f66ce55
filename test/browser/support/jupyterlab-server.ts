/**
 * Debian's jupyter_server 1.23 on 127.0.0.1, serving the test JupyterLab application
 * (jupyterlab_server 2.16's LabServerApp, support/jupyterlab-app/rlrp_lab_app.py) when given its
 * build, else the bare server (REST API and kernel websockets only). Private config, data, runtime
 * and workspace folders; the kernelspec folder and the prefix the extension was installed into on
 * JUPYTER_PATH, where JupyterLab looks for `labextensions`; a random token.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LAB_APP_DIR } from './jupyterlab-build';
import { freePort, startJupyterProcess, type JupyterProcess } from './jupyter-process';
import { SYSTEM_PYTHON } from './kernel';

/** A running jupyter_server with the test JupyterLab. */
export interface JupyterLabServer extends JupyterProcess {
  /** The token the server was started with (its `url` adds it). */
  token: string;
}

/** Options of {@link startJupyterLabServer}. */
export interface JupyterLabServerOptions {
  /** The folder the server shows (its root_dir). */
  rootDir: string;
  /** The webpack build of the application (buildJupyterLabApp); without it, the bare server. */
  build?: string;
  /** JUPYTER_PATH entries: kernelspecs and the share/jupyter holding `labextensions`. */
  jupyterPath: readonly string[];
}

/** Starts the server; resolves once /api/status answers. */
export async function startJupyterLabServer(
  options: JupyterLabServerOptions,
): Promise<JupyterLabServer> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rlrp-jupyterlab-'));
  const token = randomBytes(16).toString('hex');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUPYTER_PATH: options.jupyterPath.join(path.delimiter),
    JUPYTER_CONFIG_DIR: path.join(home, 'config'),
    JUPYTER_DATA_DIR: path.join(home, 'data'),
    JUPYTER_RUNTIME_DIR: path.join(home, 'runtime'),
    RLRP_LAB_STATE: path.join(home, 'state'),
    ...(options.build ? { RLRP_LAB_BUILD: options.build } : {}),
  };
  const program = options.build
    ? [path.join(LAB_APP_DIR, 'rlrp_lab_app.py')]
    : ['-m', 'jupyter_server'];
  const port = await freePort();
  const server = await startJupyterProcess({
    command: SYSTEM_PYTHON,
    args: [
      ...program,
      '--no-browser',
      '--allow-root',
      '--ip=127.0.0.1',
      `--port=${port}`,
      `--ServerApp.token=${token}`,
      `--ServerApp.root_dir=${options.rootDir}`,
    ],
    env,
    runtimeFilePrefix: 'jpserver',
    home,
    token,
  });
  return { ...server, token };
}
