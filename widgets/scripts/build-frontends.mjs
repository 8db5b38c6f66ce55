/**
 * Bundles the front-end shells of @rlrp/widgets with esbuild:
 *   esm/fallback-runtime.js          IIFE behind every text/html fallback (window.rlrpFallback)
 *   esm/index.mjs                    anywidget-compatible ES module (the `_esm` trait)
 *   amd/index.js                     AMD module for @jupyter-widgets/html-manager (static HTML exports)
 *   nbextension/rlrp-widgets/extension.js   classic Notebook 6 extension with its own widget manager
 * Run from anywhere: `node widgets/scripts/build-frontends.mjs` (also `npm run build -w @rlrp/widgets`).
 */
import { build } from 'esbuild';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const frontend = join(root, 'frontend');

const common = {
  bundle: true,
  minify: true,
  legalComments: 'eof',
  target: ['es2020'],
  platform: 'browser',
  define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  logLevel: 'warning',
  write: false,
};

/** Wraps a CommonJS bundle in an anonymous AMD define with the given dependencies. */
function amdWrap(code, deps, params, body) {
  return (
    `define(${JSON.stringify(deps)}, function (${params.join(', ')}) {\n` +
    // Shadow the page's AMD loader so UMD code inside the bundle takes its CommonJS path.
    'var define = undefined;\n' +
    'var module = { exports: {} }, exports = module.exports;\n' +
    body +
    '\n' +
    code +
    '\nreturn module.exports;\n});\n'
  );
}

async function bundle(entry, options) {
  const result = await build({ ...common, entryPoints: [join(frontend, entry)], ...options });
  return result.outputFiles[0].text;
}

// Write-then-rename: a Jupyter server or test serving the old bundle never reads a half-written file.
function write(relative, text) {
  const target = join(root, relative);
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, text);
  renameSync(partial, target);
  console.log(`  ${relative}  ${(text.length / 1024).toFixed(0)} KiB`);
}

const steps = [
  [
    'fallback runtime (IIFE)',
    async () =>
      write(
        'esm/fallback-runtime.js',
        await bundle('shells/fallback-runtime.ts', { format: 'iife' }),
      ),
  ],
  [
    'anywidget ES module',
    async () => write('esm/index.mjs', await bundle('shells/esm.ts', { format: 'esm' })),
  ],
  [
    'html-manager AMD module',
    async () => {
      const code = await bundle('shells/amd.ts', {
        format: 'cjs',
        external: ['@jupyter-widgets/base'],
      });
      const requireShim =
        'var require = function (name) { if (name === "@jupyter-widgets/base") return jupyterWidgetsBase; ' +
        'throw new Error("@rlrp/widgets: unexpected dependency " + name); };';
      write(
        'amd/index.js',
        amdWrap(code, ['@jupyter-widgets/base'], ['jupyterWidgetsBase'], requireShim),
      );
    },
  ],
  [
    'classic Notebook extension',
    async () => {
      const code = await bundle('shells/nbextension.ts', { format: 'cjs' });
      const wrapped = amdWrap(
        code,
        ['base/js/namespace', 'base/js/events', 'notebook/js/outputarea', 'services/kernels/comm'],
        ['Jupyter', 'events', 'outputarea', 'comms'],
        'var require = undefined;',
      ).replace(
        /\nreturn module\.exports;\n\}\);\n$/,
        '\nreturn { load_ipython_extension: function () { module.exports.load_ipython_extension(Jupyter, events, outputarea, comms); } };\n});\n',
      );
      write('nbextension/rlrp-widgets/extension.js', wrapped);
    },
  ],
];

const started = Date.now();
for (const [index, [name, run]] of steps.entries()) {
  console.log(`[${index + 1}/${steps.length}] ${name}`);
  await run();
}
console.log(`front ends built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
