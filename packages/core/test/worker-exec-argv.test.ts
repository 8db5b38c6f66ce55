/**
 * A pool worker started from the compiled package leaves tsx's loader behind and keeps every other
 * option; where Node refuses an option given to a worker explicitly, the worker inherits them all.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Worker } from 'worker_threads';
import { startWorkerWithoutTsx, withoutTsxLoaders } from '../src/engine/worker-exec-argv';

const TSX = [
  '--require',
  '/repo/node_modules/tsx/dist/preflight.cjs',
  '--import',
  'file:///repo/node_modules/tsx/dist/loader.mjs',
];

describe('withoutTsxLoaders', () => {
  it('drops tsx’s loaders, as tsx starts Node with them', () => {
    expect(withoutTsxLoaders(TSX)).toEqual([]);
    expect(withoutTsxLoaders(['--import=tsx', '-r', 'tsx/cjs'])).toEqual([]);
  });

  it('keeps every other option, other preloads among them (a worker may need them)', () => {
    const others = [
      '--max-old-space-size=4096',
      '-r',
      './.pnp.cjs',
      '--import=./hooks.mjs',
      '--loader',
      'ts-node/esm',
      '--require',
      '/repo/node_modules/tsx-like/x.js',
      // A folder of the user's that is called tsx, not tsx's package.
      '-r',
      '/home/me/tsx/register-paths.js',
    ];
    expect(withoutTsxLoaders([...others, ...TSX])).toEqual(others);
  });
});

describe('startWorkerWithoutTsx', () => {
  let dir: string;
  let script: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlrp-worker-argv-'));
    script = path.join(dir, 'report.js');
    // The worker reports the options it got and exits.
    fs.writeFileSync(
      script,
      "require('worker_threads').parentPort.postMessage(process.execArgv);\n",
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const optionsOf = (worker: Worker) =>
    new Promise<string[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });

  it('starts the worker without tsx’s loader', async () => {
    const tsxPreload = path.join(dir, 'node_modules', 'tsx', 'preflight.cjs');
    fs.mkdirSync(path.dirname(tsxPreload), { recursive: true });
    // Were it loaded, the worker would throw before it reports.
    fs.writeFileSync(tsxPreload, "throw new Error('tsx preloaded');\n");
    const got = await optionsOf(
      startWorkerWithoutTsx(script, ['--require', tsxPreload, '--trace-warnings']),
    );
    expect(got).toEqual(['--trace-warnings']);
  });

  it('lets the worker inherit every option when Node refuses one given explicitly (V8’s)', async () => {
    const inherited = await optionsOf(
      startWorkerWithoutTsx(script, ['--max-old-space-size=4096', ...TSX]),
    );
    // This test process's own options: the refusal did not reach the caller.
    expect(inherited).toEqual(process.execArgv);
  });
});
