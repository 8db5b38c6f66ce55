/**
 * A pool worker starts without the module loaders of the thread that starts it (tsx's among them),
 * and with every other option.
 */
import { withoutModuleLoaders } from '../src/engine/worker-exec-argv';

describe('withoutModuleLoaders', () => {
  it('drops tsx’s loaders, as tsx starts Node with them', () => {
    expect(
      withoutModuleLoaders([
        '--require',
        '/repo/node_modules/tsx/dist/preflight.cjs',
        '--import',
        'file:///repo/node_modules/tsx/dist/loader.mjs',
      ]),
    ).toEqual([]);
  });

  it('drops every loader option in either form and keeps the other options in order', () => {
    expect(
      withoutModuleLoaders([
        '--max-old-space-size=4096',
        '-r',
        'dotenv/config',
        '--import=./hooks.mjs',
        '--expose-gc',
        '--loader',
        'ts-node/esm',
        '--experimental-loader=./other.mjs',
        '--require=./setup.js',
        '--stack-size=2000',
      ]),
    ).toEqual(['--max-old-space-size=4096', '--expose-gc', '--stack-size=2000']);
  });

  it('keeps options that only start like a loader’s name', () => {
    expect(withoutModuleLoaders(['--import-meta-resolve', '--requirex'])).toEqual([
      '--import-meta-resolve',
      '--requirex',
    ]);
  });
});
