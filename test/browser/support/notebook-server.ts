/**
 * A real classic Jupyter Notebook 6 server on 127.0.0.1 for the live tests and the benchmark:
 * private config/data/runtime folders (so the machine's own Jupyter setup is untouched), the
 * tslab-widgets kernelspec on JUPYTER_PATH, this package's nbextension installed `--user` into
 * the private data folder (Debian's jupyter-js-widgets disabled there).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { installNbextension } from '../../../widgets/src/nbextension-install';
import { freePort, startJupyterProcess, type JupyterProcess } from './jupyter-process';
import { SYSTEM_JUPYTER } from './kernel';

/** A running notebook server (without a token). */
export type NotebookServer = JupyterProcess;

/** Starts `jupyter notebook` serving `notebookDir`, with the kernelspec folder `jupyterPath`. */
export async function startNotebookServer(
  notebookDir: string,
  jupyterPath: string,
): Promise<NotebookServer> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rlrp-jupyter-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUPYTER_PATH: jupyterPath,
    JUPYTER_CONFIG_DIR: path.join(home, 'config'),
    JUPYTER_DATA_DIR: path.join(home, 'data'),
    JUPYTER_RUNTIME_DIR: path.join(home, 'runtime'),
  };
  installNbextension({ scope: 'user', jupyter: SYSTEM_JUPYTER, env });
  const port = await freePort();
  return startJupyterProcess({
    command: SYSTEM_JUPYTER,
    args: [
      'notebook',
      '--no-browser',
      '--allow-root',
      '--ip=127.0.0.1',
      // A free port now may be taken by the time Jupyter binds it: Jupyter then moves on to the
      // next one, and startJupyterProcess reads where it actually listens from its runtime file.
      `--port=${port}`,
      "--NotebookApp.token=''",
      "--NotebookApp.password=''",
      `--notebook-dir=${notebookDir}`,
    ],
    env,
    runtimeFilePrefix: 'nbserver',
    home,
  });
}
