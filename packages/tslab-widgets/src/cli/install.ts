import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildKernelJson, KERNEL_NAME } from './kernelspec';

/** Options of {@link installKernelspec}. */
export interface InstallOptions {
  /** The Python whose `jupyter_client` installs the kernelspec. Default `python3`. */
  python?: string;
  /** Install into the per-user kernels folder. */
  user?: boolean;
  /** Install into `PREFIX/share/jupyter/kernels`. */
  prefix?: string;
}

/** Thrown when the kernelspec could not be installed. */
export class KernelspecInstallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelspecInstallError';
  }
}

// Runs jupyter_client's own installer so the kernelspec lands where Jupyter looks for it.
const INSTALL_SCRIPT = `
import sys
from jupyter_client.kernelspec import KernelSpecManager
source, name, user, prefix = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4] or None
print(KernelSpecManager().install_kernel_spec(source, kernel_name=name, user=user, prefix=prefix, replace=True))
`;

/**
 * Installs the `tslab-widgets` kernelspec with jupyter_client and returns the folder it was
 * written to.
 */
export function installKernelspec(
  packageRoot: string,
  version: string,
  options: InstallOptions,
): string {
  if (options.user && options.prefix !== undefined) {
    throw new KernelspecInstallError('choose one of --user and --prefix DIR, not both');
  }
  const python = options.python ?? 'python3';
  const staging = mkdtempSync(join(tmpdir(), 'tslab-widgets-spec-'));
  try {
    const specDir = join(staging, KERNEL_NAME);
    mkdirSync(specDir);
    writeFileSync(
      join(specDir, 'kernel.json'),
      `${JSON.stringify(buildKernelJson(packageRoot, version), null, 2)}\n`,
    );
    const result = spawnSync(
      python,
      ['-c', INSTALL_SCRIPT, specDir, KERNEL_NAME, options.user ? '1' : '0', options.prefix ?? ''],
      { encoding: 'utf8' },
    );
    if (result.error) {
      throw new KernelspecInstallError(
        `could not run ${python}: ${result.error.message}. Pass --python PATH to a Python with ` +
          `jupyter_client (Debian: apt-get install python3-jupyter-client).`,
      );
    }
    if (result.status !== 0) {
      throw new KernelspecInstallError(
        `${python} failed to install the kernelspec (exit ${String(result.status)}):\n` +
          `${result.stderr.trim()}\nFix: pass --python PATH to a Python that has jupyter_client ` +
          `(Debian: --python /usr/bin/python3 with python3-jupyter-client); without root, add --user.`,
      );
    }
    return result.stdout.trim();
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
