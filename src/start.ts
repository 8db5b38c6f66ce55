/**
 * `npm start`: registers the `tslab-widgets` kernel and the Notebook extension, then starts Jupyter
 * Notebook on the tutorials (setup.mjs has already installed npm and Debian packages and built).
 *
 *   npm start                           Jupyter on http://127.0.0.1:8888 with notebooks/ open
 *   npm start -- --port 9999 --no-browser
 *   npm start -- --terminals            also enable Jupyter's in-browser terminals (off by default)
 *   npm start -- --demo                 no Jupyter: explain a digit, write a PNG and an HTML page
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { installNbextension } from '@rlrp/widgets';
import { describeKernelspecClone, findKernelspecClone } from './bootstrap/kernelspec-clone';
import { runDemo } from './demo/demo';

const repoRoot = path.resolve(__dirname, '..');

interface StartOptions {
  readonly port: number;
  readonly ip: string;
  readonly openBrowser: boolean;
  readonly demo: boolean;
  /** Jupyter's in-browser terminals: off unless `--terminals` (the server often runs as root). */
  readonly terminals: boolean;
}

function parseArguments(argv: readonly string[]): StartOptions {
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    return at >= 0
      ? argv[at + 1]
      : argv.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
  };
  const port = Number(value('--port') ?? 8888);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`--port takes a port number (1–65535), got "${value('--port')}".`);
  }
  return {
    port,
    ip: value('--ip') ?? '127.0.0.1',
    openBrowser: !argv.includes('--no-browser'),
    demo: argv.includes('--demo'),
    terminals: argv.includes('--terminals'),
  };
}

/**
 * The Python that has Debian's jupyter_client: `/usr/bin/python3` when present (a pyenv or venv
 * `python3` earlier on PATH usually lacks it), otherwise `python3`.
 */
function jupyterPython(): string {
  return fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** Debian's `jupyter` (see {@link jupyterPython} for why not just PATH). */
function jupyterCommand(): string {
  return fs.existsSync('/usr/bin/jupyter') ? '/usr/bin/jupyter' : 'jupyter';
}

/** Registers the kernelspec for this user, through the plugin's own installer. */
function installKernel(): void {
  const cli = path.join(repoRoot, 'packages', 'tslab-widgets', 'bin', 'tslab-widgets.js');
  const args = [cli, 'install', '--user', '--python', jupyterPython()];
  const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (result.status !== 0)
    throw new Error('Registering the tslab-widgets kernelspec failed (see above).');
}

/**
 * Signs the shipped tutorials for this user, as `jupyter trust` does (Debian ships its module,
 * `nbformat.sign`, without the `jupyter-trust` command), so they open trusted: their saved widget
 * outputs and HTML fallbacks are shown instead of "Not Trusted". A failure is reported and does
 * not stop Jupyter from starting.
 */
function trustNotebooks(): void {
  const dir = path.join(repoRoot, 'notebooks');
  const notebooks = fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.ipynb'))
    .map((name) => path.join(dir, name));
  const result = spawnSync(jupyterPython(), ['-m', 'nbformat.sign', ...notebooks], {
    stdio: 'pipe',
  });
  if (result.status !== 0)
    console.warn(`[start] signing the tutorials failed: ${String(result.stderr).trim()}`);
  else console.log(`[start] ${notebooks.length} tutorials signed (trusted)`);
}

function startJupyter(options: StartOptions): void {
  const args = [
    'notebook',
    `--notebook-dir=${path.join(repoRoot, 'notebooks')}`,
    `--port=${options.port}`,
    `--ip=${options.ip}`,
    ...(options.openBrowser ? [] : ['--no-browser']),
    // A terminal is a root shell one click away on these machines; the kernels still run code as
    // this user, so this narrows what the token opens rather than replacing it (see README).
    `--NotebookApp.terminals_enabled=${options.terminals ? 'True' : 'False'}`,
    // Jupyter refuses root unless told; on a container or CI machine root is the norm.
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
  ];
  console.log(`[start] jupyter ${args.join(' ')}`);
  console.log(
    `[start] open the URL with the token printed below (http://${options.ip}:${options.port}/…), ` +
      'then notebooks/01-quickstart.ipynb. Ctrl-C stops Jupyter.',
  );
  console.log(
    `[start] the token in that URL lets whoever has it run any code as ${process.getuid?.() === 0 ? 'root' : 'this user'} through a kernel: do not share it. ` +
      `Terminals are ${options.terminals ? 'ON (--terminals)' : 'off (npm start -- --terminals turns them on)'}.`,
  );
  if (!['127.0.0.1', 'localhost', '::1'].includes(options.ip)) {
    console.warn(
      `[start] --ip ${options.ip} makes Jupyter reachable from other machines; only the token protects it.`,
    );
  }
  console.log('[start] share a run notebook as HTML: npx rlrp-widgets export-html NOTEBOOK.ipynb');
  const jupyter = spawn(jupyterCommand(), args, { stdio: 'inherit' });
  const stop = () => jupyter.kill('SIGINT');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  jupyter.on('exit', (code) => process.exit(code ?? 0));
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  if (options.demo) {
    await runDemo();
    return;
  }
  const kernelBefore = findKernelspecClone(jupyterCommand());
  installKernel();
  const kernelAfter = findKernelspecClone(jupyterCommand());
  console.log(`[start] ${describeKernelspecClone(kernelBefore, kernelAfter, repoRoot)}`);
  installNbextension({ scope: 'user', jupyter: jupyterCommand() });
  trustNotebooks();
  console.log(
    '[start] kernel "TypeScript (tslab + widgets)" and the rlrp-widgets extension are installed',
  );
  startJupyter(options);
}

main().catch((error: unknown) => {
  console.error(`[start] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
