/**
 * Builds the prebuilt JupyterLab 4 extension of @rlrp/widgets into widgets/labextension/prebuilt/:
 *   1. type-check src/ (tsc --noEmit),
 *   2. esbuild compiles src/index.ts and the shared front-end views into lib/index.js (ES module;
 *      plotly.js bundled, @jupyter-widgets/base and @jupyterlab/* left as imports),
 *   3. @jupyterlab/builder (`build-labextension`) turns lib/ into a module-federation remote that
 *      consumes @jupyter-widgets/base from the page's share scope (the widget manager's copy).
 * `--core-path` names the package.json whose dependencies and singletonPackages JupyterLab shares
 * (default: the JupyterLab application the browser tests assemble, see test/browser/support).
 *
 *   node widgets/labextension/scripts/build.mjs [--core-path DIR] [--development]
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(here, '..', '..');
const require = createRequire(import.meta.url);

const args = process.argv.slice(2);
const corePathFlag = args.indexOf('--core-path');
const corePath =
  corePathFlag >= 0
    ? args[corePathFlag + 1]
    : join(repo, 'test', 'browser', 'support', 'jupyterlab-app');
const development = args.includes('--development');

function run(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', cwd: here });
  if (result.status !== 0) {
    console.error(`labextension build failed: ${command} ${commandArgs.join(' ')}`);
    process.exit(result.status ?? 1);
  }
}

const started = Date.now();
console.log('[1/3] type-check');
run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(here, 'tsconfig.json')]);

console.log('[2/3] esbuild lib/index.js');
await build({
  entryPoints: [join(here, 'src', 'index.ts')],
  outfile: join(here, 'lib', 'index.js'),
  bundle: true,
  format: 'esm',
  target: ['es2020'],
  minify: true,
  platform: 'browser',
  // Resolved by webpack's module federation from the page (shared singletons), never bundled.
  external: ['@jupyter-widgets/base', '@jupyterlab/*', '@lumino/*'],
  define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  legalComments: 'eof',
  logLevel: 'warning',
});

console.log('[3/3] @jupyterlab/builder build-labextension');
run(process.execPath, [
  require.resolve('@jupyterlab/builder/lib/build-labextension.js'),
  ...(development ? ['--development'] : []),
  '--core-path',
  corePath,
  here,
]);
console.log(
  `labextension built in ${((Date.now() - started) / 1000).toFixed(1)} s → ${join(here, 'prebuilt')}`,
);
