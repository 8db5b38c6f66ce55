/**
 * `rlrp-widgets` command:
 *   rlrp-widgets install-nbextension [--user | --sys-prefix]   install + enable the Notebook 6 extension
 *   rlrp-widgets export-html NOTEBOOK [--output-dir DIR]      offline HTML of an executed notebook
 */
import { installNbextension } from './nbextension-install';
import { exportNotebookHtml } from './static-export';

const USAGE = [
  'Usage:',
  '  rlrp-widgets install-nbextension [--user | --sys-prefix]',
  '      Install and enable the classic Notebook extension (and disable jupyter-js-widgets).',
  '  rlrp-widgets export-html NOTEBOOK.ipynb [--output-dir DIR]',
  '      Convert an executed notebook to HTML that renders its widgets offline.',
].join('\n');

/** Runs the command line; returns the exit code. */
export function main(argv: readonly string[]): number {
  const [command, ...rest] = argv;
  try {
    if (command === 'install-nbextension') {
      installNbextension({ scope: rest.includes('--user') ? 'user' : 'sys-prefix', verbose: true });
      console.log('rlrp-widgets/extension installed and enabled.');
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
