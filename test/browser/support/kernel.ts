/**
 * The real tslab-widgets kernel for the browser tests: packages built with `tsc -b` (the kernel
 * loads compiled code), the kernelspec installed into a private prefix put on JUPYTER_PATH, and
 * notebooks executed with Debian's nbclient.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileProjects, REPO_ROOT } from '../../../src/build/workspace-build';

/** Debian's Python, which has jupyter_client, nbclient, nbconvert and notebook. */
export const SYSTEM_PYTHON = '/usr/bin/python3';
/** Debian's `jupyter` launcher. */
export const SYSTEM_JUPYTER = '/usr/bin/jupyter';

/** Compiles core, tslab-widgets and widgets (`tsc -b`, incremental) so the kernel loads current code. */
export function buildPackages(): void {
  compileProjects(['widgets']);
}

/** Installs the tslab-widgets kernelspec into a fresh prefix; returns the JUPYTER_PATH entry. */
export function installKernelspec(): string {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'rlrp-kernels-'));
  execFileSync(
    process.execPath,
    [
      path.join(REPO_ROOT, 'packages', 'tslab-widgets', 'bin', 'tslab-widgets.js'),
      'install',
      '--python',
      SYSTEM_PYTHON,
      '--prefix',
      prefix,
    ],
    { stdio: 'pipe' },
  );
  return path.join(prefix, 'share', 'jupyter');
}

/** Executes `notebook` with nbclient on the tslab-widgets kernel, storing widget state. */
export function executeNotebook(notebook: string, output: string, jupyterPath: string): void {
  const script = [
    'import sys, nbformat, nbclient',
    'nb = nbformat.read(sys.argv[1], 4)',
    "client = nbclient.NotebookClient(nb, kernel_name='tslab-widgets', timeout=300, store_widget_state=True,",
    "    resources={'metadata': {'path': sys.argv[3]}})",
    'client.execute()',
    'nbformat.write(nb, sys.argv[2])',
  ].join('\n');
  execFileSync(SYSTEM_PYTHON, ['-c', script, notebook, output, path.dirname(notebook)], {
    env: { ...process.env, JUPYTER_PATH: jupyterPath },
    stdio: 'pipe',
    timeout: 400_000,
  });
}
