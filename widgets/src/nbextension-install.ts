/**
 * Installs and enables the classic Notebook 6 extension (`rlrp-widgets/extension`), which brings
 * its own widget manager for @jupyter-widgets/base 6 widgets. Debian's ipywidgets 6 front end
 * (`jupyter-js-widgets/extension`, pulled in as a Recommends of python3-notebook) claims the same
 * comm target and mime type, so it is disabled at the same scope.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ASSETS, assetPath } from './assets';
import { WidgetAssetError, WidgetOptionError } from './errors';

/** The require path Notebook 6 loads. */
export const NBEXTENSION_REQUIRE = 'rlrp-widgets/extension';
/** Debian's ipywidgets 6 extension, which must not run beside this one. */
export const CONFLICTING_NBEXTENSION = 'jupyter-js-widgets/extension';

/** Options of {@link installNbextension}. */
export interface InstallNbextensionOptions {
  /** `sys-prefix` (default: the Python's prefix, e.g. /usr) or `user` (~/.local/share/jupyter). */
  scope?: 'sys-prefix' | 'user';
  /** The `jupyter` executable; default `jupyter`. */
  jupyter?: string;
  /** Extra environment (e.g. JUPYTER_CONFIG_DIR / JUPYTER_DATA_DIR for an isolated install). */
  env?: NodeJS.ProcessEnv;
  /** Print the jupyter commands' output; default false. */
  verbose?: boolean;
}

/** Runs `jupyter nbextension install` + `enable`, and disables the conflicting extension. */
export function installNbextension(options: InstallNbextensionOptions = {}): void {
  const scope = options.scope ?? 'sys-prefix';
  if (scope !== 'sys-prefix' && scope !== 'user') {
    throw new WidgetOptionError(
      'scope',
      `"${String(scope)}" is not a scope; use "sys-prefix" or "user".`,
    );
  }
  const folder = assetPath(ASSETS.nbextensionDir);
  if (!fs.existsSync(path.join(folder, 'extension.js')))
    throw new WidgetAssetError(path.join(folder, 'extension.js'));
  const flag = `--${scope}`;
  const run = (args: string[]): void => {
    const output = execFileSync(options.jupyter ?? 'jupyter', args, {
      env: { ...process.env, ...options.env },
      stdio: 'pipe',
    });
    if (options.verbose) process.stdout.write(output);
  };
  run(['nbextension', 'install', folder, flag, '--overwrite']);
  run(['nbextension', 'enable', NBEXTENSION_REQUIRE, flag]);
  run(['nbextension', 'disable', CONFLICTING_NBEXTENSION, flag]);
}
