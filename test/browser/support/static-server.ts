/**
 * A tiny HTTP server on 127.0.0.1 (random port) for the browser tests: in-memory pages plus
 * folders mounted under URL prefixes. Nothing is ever served from the network.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** A running local server. */
export interface StaticServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Serves `body` at `urlPath`. */
  page(urlPath: string, body: string, type?: string): void;
  /** Serves the files of `dir` under `prefix` (`/prefix/<relative path>`). */
  mount(prefix: string, dir: string): void;
  /** Paths that were requested but not found. */
  missing: string[];
  close(): Promise<void>;
}

/** Starts a server on a free localhost port. */
export async function startStaticServer(): Promise<StaticServer> {
  const pages = new Map<string, { body: string; type: string }>();
  const mounts: [string, string][] = [];
  const missing: string[] = [];
  const server = http.createServer((request, response) => {
    const urlPath = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    const page = pages.get(urlPath);
    if (page) {
      response.writeHead(200, { 'content-type': page.type });
      response.end(page.body);
      return;
    }
    for (const [prefix, dir] of mounts) {
      if (!urlPath.startsWith(prefix)) continue;
      const file = path.join(dir, urlPath.slice(prefix.length));
      if (file.startsWith(dir) && fs.existsSync(file) && fs.statSync(file).isFile()) {
        response.writeHead(200, {
          'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        });
        fs.createReadStream(file).pipe(response);
        return;
      }
    }
    missing.push(urlPath);
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end(`not found: ${urlPath}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    page: (urlPath, body, type = 'text/html; charset=utf-8') => pages.set(urlPath, { body, type }),
    mount: (prefix, dir) =>
      mounts.push([prefix.endsWith('/') ? prefix : `${prefix}/`, path.resolve(dir)]),
    missing,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
