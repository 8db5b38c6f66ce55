/**
 * A Jupyter server process (classic Notebook 6 or jupyter_server) started by a test: how to find
 * where it listens, wait until it answers, talk to it over HTTP and stop it with its kernels.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';

/**
 * One HTTP request without keep-alive (`agent: false`), so no socket outlives the test; resolves
 * with the status and body, rejects when the server does not answer. `options.body` is sent as
 * JSON.
 */
export function request(
  url: string,
  method = 'GET',
  options: { headers?: Record<string, string>; body?: object } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method, agent: false, headers: options.headers },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body === undefined ? undefined : JSON.stringify(options.body));
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

/** A Jupyter server process started by {@link startJupyterProcess}. */
export interface JupyterProcess {
  origin: string;
  /** `origin + pathAndQuery`, with the token added when the server has one. */
  url(pathAndQuery: string): string;
  /** The server's log (stdout + stderr). */
  log: () => string;
  /** Shuts the kernels down through the API, then the server; removes `home`. */
  stop(): Promise<void>;
}

/** How to start a Jupyter server for {@link startJupyterProcess}. */
export interface JupyterProcessOptions {
  /** The executable and its arguments. */
  command: string;
  args: readonly string[];
  /** The server's environment; its JUPYTER_RUNTIME_DIR is where it writes its runtime file. */
  env: NodeJS.ProcessEnv;
  /** The runtime file's name prefix: `nbserver` (Notebook 6) or `jpserver` (jupyter_server). */
  runtimeFilePrefix: string;
  /** The private folder of the server's config, data and runtime files, removed on stop. */
  home: string;
  /** The server's token, if it asks for one. */
  token?: string;
}

/** Starts the server; resolves once /api/status answers (else kills it and rejects with its log). */
export async function startJupyterProcess(options: JupyterProcessOptions): Promise<JupyterProcess> {
  const runtimeDir = options.env['JUPYTER_RUNTIME_DIR'];
  if (runtimeDir === undefined)
    throw new Error('startJupyterProcess: env needs JUPYTER_RUNTIME_DIR');
  const child = spawn(options.command, options.args, {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const withToken = (url: string): string =>
    options.token === undefined
      ? url
      : `${url}${url.includes('?') ? '&' : '?'}token=${options.token}`;
  let origin: string;
  try {
    // Jupyter may have moved on from the port it was given if it was taken meanwhile: its runtime
    // file says where it actually listens.
    const port = await listeningPort(runtimeDir, child, 60_000, options.runtimeFilePrefix);
    origin = `http://127.0.0.1:${port}`;
    await waitForHttp(withToken(`${origin}/api/status`), child, 60_000);
  } catch (error) {
    child.kill('SIGTERM');
    throw new Error(`${(error as Error).message}\n${log}`);
  }
  const url = (pathAndQuery: string): string => withToken(`${origin}${pathAndQuery}`);
  return {
    origin,
    url,
    log: () => log,
    async stop() {
      try {
        const kernels = JSON.parse((await request(url('/api/kernels'))).body) as { id: string }[];
        await Promise.all(kernels.map((k) => request(url(`/api/kernels/${k.id}`), 'DELETE')));
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
      fs.rmSync(options.home, { recursive: true, force: true });
    },
  };
}
