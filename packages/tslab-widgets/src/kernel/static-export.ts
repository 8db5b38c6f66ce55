import { readFileSync } from 'fs';

/**
 * Recognises a kernel started by `jupyter nbconvert --execute --to html` (or `slides`, `webpdf`,
 * `jupyter dejavu`), where no front end will ever render a widget view.
 *
 * Why the kernel must know: nbclient records the state of every widget it sees, and nbconvert's HTML
 * exporter then picks the widget view over the `text/html` fallback. The page asks a CDN for the
 * html-manager and for the widget's own module, so a widget whose module is not published on npm
 * (or a reader offline) gets an empty box. The kernel cannot tell this export from
 * `--to notebook --execute`, which needs the view and the state, by the messages it receives (same
 * client, same requests); it can by the command that started it. jupyter_client puts the launching
 * process's id in the kernel's environment as `JPY_PARENT_PID`, and on Linux that process's command
 * line is readable. Anywhere this does not apply (another OS, another launcher) the answer is "not
 * an HTML export" and widgets behave as always.
 */

/**
 * The nbconvert formats whose output is an HTML page, or rendered from one (the `--to` values,
 * lower case): webpdf prints the page in Chromium, qtpdf and qtpng in Qt WebEngine (nbconvert 7).
 */
const HTML_FORMATS = new Set(['html', 'slides', 'webpdf', 'qtpdf', 'qtpng']);

/**
 * What started the kernel, when it is a static HTML export: a short description such as
 * `jupyter nbconvert --to html`, for the kernel log. `undefined` otherwise.
 *
 * @param argv - the launching process's arguments
 */
export function staticHtmlExport(argv: readonly string[]): string | undefined {
  // The command is within the first arguments: the interpreter, maybe `-m`, then the script.
  const head = argv.slice(0, 3);
  const names = head.map((arg) => arg.slice(arg.lastIndexOf('/') + 1));
  const dejavu = names.includes('jupyter-dejavu');
  const nbconvert = names.includes('jupyter-nbconvert') || adjacent(head, '-m', 'nbconvert');
  if (!dejavu && !nbconvert) return undefined;
  const format = dejavu ? 'html' : exportFormat(argv);
  if (format === undefined || !HTML_FORMATS.has(format)) return undefined;
  return `jupyter nbconvert --to ${format}`;
}

/**
 * {@link staticHtmlExport} of the process named by `JPY_PARENT_PID` in `env`; `undefined` when
 * there is none or its command line cannot be read.
 */
export function staticHtmlExportOfParent(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const pid = env['JPY_PARENT_PID'];
  if (pid === undefined || !/^[1-9][0-9]{0,9}$/.test(pid)) return undefined;
  let commandLine: string;
  try {
    // A /proc file reports size 0; its length is bounded by the system's argument limit.
    commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined; // gone, not Linux, not allowed
  }
  return staticHtmlExport(commandLine.split('\0').filter((arg) => arg !== ''));
}

/** The export format the arguments ask for (`--to X`, `--to=X`, the app's trait), lower case. */
function exportFormat(argv: readonly string[]): string | undefined {
  let format: string | undefined;
  // Later arguments override earlier ones, as in traitlets.
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    const spaced = arg === '--to' || arg === '--NbConvertApp.export_format';
    if (spaced && index + 1 < argv.length) format = argv[index + 1];
    const assigned = /^--(?:to|NbConvertApp\.export_format)=(.*)$/.exec(arg);
    if (assigned) format = assigned[1];
    if (arg === '--inplace' || arg === '--clear-output') format = 'notebook';
  }
  return format?.toLowerCase();
}

function adjacent(list: readonly string[], first: string, second: string): boolean {
  return list.some((item, index) => item === first && list[index + 1] === second);
}
