import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { compileProjects } from '../../../src/build/workspace-build';

/** Repository root. */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
/** The plugin package. */
export const PACKAGE_DIR = join(REPO_ROOT, 'packages', 'tslab-widgets');
/**
 * Debian's Python with jupyter-client, nbclient, jupyter_kernel_test. Explicit path: a `python3`
 * earlier on PATH (pyenv, venv) usually lacks them.
 */
export const PYTHON = process.env['TSLAB_WIDGETS_PYTHON'] ?? '/usr/bin/python3';

/** Compiles the plugin (incremental; serialized with every other build by one lock). */
export function buildPlugin(): void {
  compileProjects(['packages/tslab-widgets']);
}

/** A kernelspec installed into a private prefix, plus the environment that makes Jupyter use it. */
export interface InstalledKernelspec {
  /** The temporary folder holding the prefix and Jupyter's data, config and runtime folders. */
  root: string;
  /** Environment for Python/Jupyter processes: only this prefix's kernels, private folders. */
  env: NodeJS.ProcessEnv;
  /** The `tslab-widgets install` output. */
  installOutput: string;
  cleanup(): void;
}

/**
 * Builds the plugin and installs its kernelspec with the package's own installer
 * (`tslab-widgets install --prefix`), into a fresh temporary prefix.
 */
export function installKernelspecForTest(): InstalledKernelspec {
  buildPlugin();
  const root = mkdtempSync(join(tmpdir(), 'tslab-widgets-test-'));
  const prefix = join(root, 'prefix');
  const installOutput = execFileSync(
    process.execPath,
    [
      join(PACKAGE_DIR, 'bin', 'tslab-widgets.js'),
      'install',
      '--python',
      PYTHON,
      '--prefix',
      prefix,
    ],
    { encoding: 'utf8' },
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUPYTER_PATH: join(prefix, 'share', 'jupyter'),
    JUPYTER_DATA_DIR: join(root, 'data'),
    JUPYTER_CONFIG_DIR: join(root, 'config'),
    JUPYTER_RUNTIME_DIR: join(root, 'runtime'),
    PYTHONDONTWRITEBYTECODE: '1',
  };
  return {
    root,
    env,
    installOutput,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
