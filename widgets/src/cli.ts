/**
 * `rlrp-widgets` command:
 *   rlrp-widgets install-nbextension [--user | --sys-prefix]   install + enable the Notebook 6 extension
 *   rlrp-widgets export-html NOTEBOOK [--output-dir DIR]      offline HTML of an executed notebook
 *   rlrp-widgets install-labextension [--user | --sys-prefix [--python PY] | --prefix DIR]
 *                                                             prebuilt JupyterLab 4 / Notebook 7 extension
 */
import {
  installLabextension,
  LABEXTENSION_REQUIREMENTS,
  type InstallLabextensionOptions,
} from './labextension-install';
import { installNbextension } from './nbextension-install';
import { exportNotebookHtml } from './static-export';

const USAGE = [
  'Usage:',
  '  rlrp-widgets install-nbextension [--user | --sys-prefix]',
  '      Install and enable the classic Notebook extension (and disable jupyter-js-widgets).',
  '  rlrp-widgets export-html NOTEBOOK.ipynb [--output-dir DIR]',
  '      Convert an executed notebook to HTML that renders its widgets offline.',
  '  rlrp-widgets install-labextension [--user | --sys-prefix [--python PY] | --prefix DIR]',
  '      Install the prebuilt JupyterLab 4 / Notebook 7 extension (no pip); default --user.',
].join('\n');

/** The value after `flag` in `args`, if the flag is there. */
function flagValue(args: readonly string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index >= 0 ? args[index + 1] : undefined;
}

/** Options of `install-labextension` from its arguments. */
function labextensionOptions(args: readonly string[]): InstallLabextensionOptions {
  if (args.includes('--prefix')) return { scope: 'prefix', prefix: flagValue(args, '--prefix') };
  if (args.includes('--sys-prefix'))
    return { scope: 'sys-prefix', python: flagValue(args, '--python') };
  return { scope: 'user' };
}

/** Runs the command line; returns the exit code. */
export function main(argv: readonly string[]): number {
  const [command, ...rest] = argv;
  try {
    if (command === 'install-nbextension') {
      installNbextension({ scope: rest.includes('--user') ? 'user' : 'sys-prefix', verbose: true });
      console.log('rlrp-widgets/extension installed and enabled.');
      return 0;
    }
    if (command === 'install-labextension') {
      const target = installLabextension(labextensionOptions(rest));
      console.log(`@rlrp/jupyterlab-widgets installed in ${target}\n${LABEXTENSION_REQUIREMENTS}`);
      return 0;
    }
    if (command === 'export-html' && rest[0]) {
      const dirFlag = rest.indexOf('--output-dir');
      const outputDir = dirFlag >= 0 ? rest[dirFlag + 1] : undefined;
      console.log(exportNotebookHtml(rest[0], { outputDir }));
      return 0;
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
  console.error(USAGE);
  return command === '--help' || command === '-h' ? 0 : 2;
}
