/**
 * Installs the prebuilt JupyterLab 4 extension (`@rlrp/jupyterlab-widgets`, built by
 * widgets/labextension/scripts/build.mjs) without pip: JupyterLab and Notebook 7 load every
 * folder `share/jupyter/labextensions/<package name>/` of their data path whose package.json
 * names a built `remoteEntry` — the same layout a Python wheel installs.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ASSETS, assetPath } from './assets';
import { LabextensionNotBuiltError, WidgetOptionError } from './errors';

/** The extension's package name: its folder under `labextensions/`. */
export const LABEXTENSION_NAME = '@rlrp/jupyterlab-widgets';

/** What a user's JupyterLab needs besides this extension (printed by the CLI). */
export const LABEXTENSION_REQUIREMENTS = [
  'Your JupyterLab (>= 4) or Notebook 7 also needs:',
  '  - the Jupyter widget manager, @jupyter-widgets/jupyterlab-manager 5 (Python: `jupyterlab_widgets`',
  '    >= 3, which `pip install ipywidgets` brings);',
  '  - the tslab-widgets kernel: `npx tslab-widgets install` (kernelspec `tslab-widgets`).',
  'Restart JupyterLab, then check with `jupyter labextension list`.',
].join('\n');

/** Where to install: like `jupyter labextension develop` / pip's `--user`, `--sys-prefix`, `--prefix`. */
export type LabextensionScope = 'user' | 'sys-prefix' | 'prefix';

/** Options of {@link installLabextension}. */
export interface InstallLabextensionOptions {
  /** `user` (default; Jupyter's user data folder), `sys-prefix` (the Python's prefix) or `prefix`. */
  scope?: LabextensionScope;
  /** The prefix folder for scope `prefix`: installs into `<prefix>/share/jupyter/labextensions`. */
  prefix?: string;
  /** The Python whose `sys.prefix` scope `sys-prefix` uses; default `python3`. */
  python?: string;
  /** Environment read for JUPYTER_DATA_DIR / XDG_DATA_HOME (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** Jupyter's user data folder, as `jupyter --data-dir` computes it. */
function userDataDir(env: NodeJS.ProcessEnv): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Jupyter');
  if (process.platform === 'win32')
    return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), 'jupyter');
  return path.join(env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'jupyter');
}

/** The `labextensions` folder a scope names. */
export function labextensionsDir(options: InstallLabextensionOptions = {}): string {
  const scope = options.scope ?? 'user';
  const env = options.env ?? process.env;
  switch (scope) {
    case 'user':
      return path.join(userDataDir(env), 'labextensions');
    case 'sys-prefix': {
      const python = options.python ?? 'python3';
      let prefix: string;
      try {
        prefix = execFileSync(python, ['-c', 'import sys; print(sys.prefix)'], {
          encoding: 'utf8',
          env,
        }).trim();
      } catch {
        throw new WidgetOptionError(
          'python',
          `could not run "${python}" to find its sys.prefix; pass the Python of your JupyterLab, or use --user or --prefix DIR.`,
        );
      }
      return path.join(prefix, 'share', 'jupyter', 'labextensions');
    }
    case 'prefix':
      if (!options.prefix)
        throw new WidgetOptionError('prefix', 'scope "prefix" needs a folder: --prefix DIR.');
      return path.join(path.resolve(options.prefix), 'share', 'jupyter', 'labextensions');
    default:
      throw new WidgetOptionError(
        'scope',
        `"${String(scope)}" is not a scope; use "user", "sys-prefix" or "prefix".`,
      );
  }
}

/** The built extension folder; throws {@link LabextensionNotBuiltError} when it was not built. */
export function prebuiltLabextension(): string {
  const folder = assetPath(ASSETS.labextensionDir);
  const manifest = path.join(folder, 'package.json');
  if (!fs.existsSync(manifest)) throw new LabextensionNotBuiltError(manifest);
  const built = JSON.parse(fs.readFileSync(manifest, 'utf8')) as {
    jupyterlab?: { _build?: { load?: string } };
  };
  const load = built.jupyterlab?._build?.load;
  if (!load || !fs.existsSync(path.join(folder, load)))
    throw new LabextensionNotBuiltError(path.join(folder, load ?? 'static/remoteEntry.<hash>.js'));
  return folder;
}

/**
 * Copies the prebuilt extension to `<labextensions>/@rlrp/jupyterlab-widgets/` (replacing an
 * older copy) and returns that folder.
 */
export function installLabextension(options: InstallLabextensionOptions = {}): string {
  const source = prebuiltLabextension();
  const target = path.join(labextensionsDir(options), ...LABEXTENSION_NAME.split('/'));
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.cpSync(source, target, { recursive: true });
  // JupyterLab's extension manager shows this; it says how the extension got there.
  const install = {
    packageManager: 'npm',
    packageName: '@rlrp/widgets',
    uninstallInstructions: `Delete the folder ${target}`,
  };
  fs.writeFileSync(path.join(target, 'install.json'), `${JSON.stringify(install, null, 2)}\n`);
  return target;
}
