import { realpathSync } from 'fs';
import { basename, dirname, join } from 'path';
import { PINNED_TSLAB_VERSION } from '../kernel/tslab';

/** The kernelspec name (what `jupyter ... --kernel tslab-widgets` and notebooks refer to). */
export const KERNEL_NAME = 'tslab-widgets';
/** The name shown in Jupyter's kernel menus. */
export const DISPLAY_NAME = 'TypeScript (tslab + widgets)';

/** The `kernel.json` of the kernelspec. */
export interface KernelJson {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: 'signal';
  env: Record<string, string>;
  metadata: Record<string, unknown>;
}

/**
 * Builds `kernel.json`: the kernel runs this package's launcher with the current Node binary (an
 * absolute path, so Jupyter's PATH does not matter), and `NODE_PATH` lets cells
 * `require('tslab-widgets')` from any notebook folder.
 */
export function buildKernelJson(packageRoot: string, version: string): KernelJson {
  const root = realpathSync(packageRoot);
  const env: Record<string, string> = {};
  // NODE_PATH entries are folders that *contain* packages: the folder holding this package's folder.
  if (basename(root) === KERNEL_NAME) env['NODE_PATH'] = dirname(root);
  return {
    argv: [
      process.execPath,
      join(root, 'bin', 'tslab-widgets.js'),
      'kernel',
      '--connection-file',
      '{connection_file}',
    ],
    display_name: DISPLAY_NAME,
    language: 'typescript',
    interrupt_mode: 'signal',
    env,
    metadata: { tslab_widgets_version: version, tslab_version: PINNED_TSLAB_VERSION },
  };
}
