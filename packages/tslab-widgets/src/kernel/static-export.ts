import { closeSync, openSync, readSync } from 'fs';

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

/** The nbconvert formats whose output is an HTML page (the `--to` values, lower case). */
const HTML_FORMATS = new Set(['html', 'slides', 'webpdf']);

/** Commands that run nbconvert's app, as the basename of an argument of the launching process. */
const NBCONVERT_COMMANDS = new Set(['jupyter-nbconvert', 'jupyter-dejavu']);

/** More than any real command line; bounds what is read from `/proc`. */
const MAX_COMMAND_LINE_BYTES = 64 * 1024;

/**
 * What started the kernel, when it is a static HTML export: a short description such as
 * `jupyter nbconvert --to html`, for the kernel log. `null` otherwise.
 *
 * @param argv - the launching process's arguments
 */
export function staticHtmlExport(argv: readonly string[]): string | null {
  const basenames = argv.map((arg) => arg.slice(arg.lastIndexOf('/') + 1));
  const dejavu = basenames.slice(0, 3).includes('jupyter-dejavu');
  const nbconvert =
    dejavu ||
    basenames.slice(0, 3).some((name) => NBCONVERT_COMMANDS.has(name)) ||
    adjacent(basenames, 'jupyter', 'nbconvert') ||
    adjacent(argv, '-m', 'nbconvert');
  if (!nbconvert) return null;
  const format = dejavu ? 'html' : exportFormat(argv);
  if (format === null || !HTML_FORMATS.has(format)) return null;
  return `jupyter nbconvert --to ${format}`;
}

/**
 * {@link staticHtmlExport} of the process named by `JPY_PARENT_PID` in `env`; `null` when there
 * is none or its command line cannot be read.
 */
export function staticHtmlExportOfParent(env: NodeJS.ProcessEnv = process.env): string | null {
  const pid = env['JPY_PARENT_PID'];
  if (pid === undefined || !/^[1-9][0-9]{0,9}$/.test(pid)) return null;
  const commandLine = readBounded(`/proc/${pid}/cmdline`);
  if (commandLine === null) return null;
  return staticHtmlExport(commandLine.split('\0').filter((arg) => arg !== ''));
}

/** The export format the arguments ask for (`--to X`, `--to=X`, the app's trait), lower case. */
function exportFormat(argv: readonly string[]): string | null {
  let format: string | null = null;
  argv.forEach((arg, index) => {
    // Later arguments override earlier ones, as in traitlets.
    if (arg === '--to' && index + 1 < argv.length) format = argv[index + 1];
    const assigned = /^--(?:to|NbConvertApp\.export_format)=(.*)$/.exec(arg);
    if (assigned) format = assigned[1];
    if (arg === '--inplace' || arg === '--clear-output') format = 'notebook';
  });
  return format === null ? null : (format as string).toLowerCase();
}

function adjacent(list: readonly string[], first: string, second: string): boolean {
  return list.some((item, index) => item === first && list[index + 1] === second);
}

/** The file's text, or null when it cannot be read (gone, not Linux, not allowed). */
function readBounded(file: string): string | null {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buffer = Buffer.alloc(MAX_COMMAND_LINE_BYTES);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return buffer.toString('utf8', 0, length);
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
