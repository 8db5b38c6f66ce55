/**
 * A real classic Jupyter Notebook 6 server on 127.0.0.1 for the live tests and the benchmark:
 * private config/data/runtime folders (so the machine's own Jupyter setup is untouched), the
 * tslab-widgets kernelspec on JUPYTER_PATH, this package's nbextension installed `--user` into
 * the private data folder (Debian's jupyter-js-widgets disabled there).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { installNbextension } from '../../../widgets/src/nbextension-install';
import { SYSTEM_JUPYTER } from './kernel';

/** A running notebook server. */
export interface NotebookServer {
  origin: string;
  /** The server's log (stdout + stderr). */
  log: () => string;
  stop(): Promise<void>;
}

/**
 * One HTTP request without keep-alive (`agent: false`), so no socket outlives the test; resolves
 * with the status and body, rejects when the server does not answer.
 */
export function request(url: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves once `url` answers 200; rejects when `child` exits or `timeoutMs` passes. */
export async function waitForHttp(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`jupyter notebook exited with code ${child.exitCode}`);
    try {
      const response = await request(url);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`jupyter notebook did not answer ${url} within ${timeoutMs} ms`);
}

/**
 * The port from Jupyter's runtime file `<prefix>-<pid>.json` (`nbserver` for Notebook 6,
 * `jpserver` for jupyter_server), once the server has written it.
 */
export async function listeningPort(
  runtimeDir: string,
  child: ChildProcess,
  timeoutMs: number,
  prefix = 'nbserver',
): Promise<number> {
  const file = path.join(runtimeDir, `${prefix}-${child.pid}.json`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`jupyter notebook exited with code ${child.exitCode}`);
    try {
      return (JSON.parse(fs.readFileSync(file, 'utf8')) as { port: number }).port;
    } catch {
      // not written (completely) yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`jupyter notebook wrote no ${file} within ${timeoutMs} ms`);
}

/** Starts `jupyter notebook` serving `notebookDir`, with the kernelspec folder `jupyterPath`. */
export async function startNotebookServer(
  notebookDir: string,
  jupyterPath: string,
): Promise<NotebookServer> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rlrp-jupyter-'));
  const runtimeDir = path.join(home, 'runtime');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUPYTER_PATH: jupyterPath,
    JUPYTER_CONFIG_DIR: path.join(home, 'config'),
    JUPYTER_DATA_DIR: path.join(home, 'data'),
    JUPYTER_RUNTIME_DIR: runtimeDir,
  };
  installNbextension({ scope: 'user', jupyter: SYSTEM_JUPYTER, env });
  const port = await freePort();
  const child = spawn(
    SYSTEM_JUPYTER,
    [
      'notebook',
      '--no-browser',
      '--allow-root',
      '--ip=127.0.0.1',
      // A free port now may be taken by the time Jupyter binds it: let Jupyter move on to the next
      // one and read where it actually listens from its runtime file.
      `--port=${port}`,
      "--NotebookApp.token=''",
      "--NotebookApp.password=''",
      `--notebook-dir=${notebookDir}`,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  let origin: string;
  try {
    // Jupyter may have moved on from `port` if it was taken meanwhile: its runtime file says.
    origin = `http://127.0.0.1:${await listeningPort(runtimeDir, child, 60_000)}`;
    await waitForHttp(`${origin}/api/status`, child, 60_000);
  } catch (error) {
    child.kill('SIGTERM');
    throw new Error(`${(error as Error).message}\n${log}`);
  }
  return {
    origin,
    log: () => log,
    async stop() {
      // Shut the kernels down through the API, then the server (the process this helper started).
      try {
        const kernels = JSON.parse((await request(`${origin}/api/kernels`)).body) as {
          id: string;
        }[];
        await Promise.all(kernels.map((k) => request(`${origin}/api/kernels/${k.id}`, 'DELETE')));
      } catch {
        // server already gone
      }
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const patience = new Promise((r) => (timer = setTimeout(r, 10_000)));
        await Promise.race([exited, patience]);
        clearTimeout(timer);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
