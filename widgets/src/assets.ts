/**
 * Where the built front-end assets live. `__dirname` is `widgets/src` under ts-jest/tsx and
 * `widgets/dist` once compiled; both are one level below the package root.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WidgetAssetError } from './errors';

/** Root folder of the @rlrp/widgets package. */
export const WIDGETS_ROOT = path.resolve(__dirname, '..');

/** Built browser files, relative to {@link WIDGETS_ROOT}. */
export const ASSETS = {
  /** IIFE installing `window.rlrpFallback` (the text/html fallback's runtime). */
  fallbackRuntime: 'esm/fallback-runtime.js',
  /** anywidget-compatible ES module (`export default { render }`). */
  anywidgetEsm: 'esm/index.mjs',
  /** The classic Notebook extension folder (installed with `jupyter nbextension install`). */
  nbextensionDir: 'nbextension/rlrp-widgets',
  /** AMD module for @jupyter-widgets/html-manager (`<cdn>@rlrp/widgets@<version>/dist/index.js`). */
  amdModule: 'amd/index.js',
  /** The prebuilt JupyterLab 4 extension folder (`widgets/labextension/scripts/build.mjs`). */
  labextensionDir: 'labextension/prebuilt',
} as const;

/** Absolute path of a built asset. */
export function assetPath(relative: string): string {
  return path.join(WIDGETS_ROOT, relative);
}

const cache = new Map<string, string>();

/** Reads a text asset once per process; throws {@link WidgetAssetError} when it was not built. */
export function readAsset(absolutePath: string): string {
  const cached = cache.get(absolutePath);
  if (cached !== undefined) return cached;
  if (!fs.existsSync(absolutePath)) throw new WidgetAssetError(absolutePath);
  const text = fs.readFileSync(absolutePath, 'utf8');
  cache.set(absolutePath, text);
  return text;
}

/** Absolute path of the installed plotly.js-dist-min bundle. */
export function plotlyBundlePath(): string {
  return require.resolve('plotly.js-dist-min/plotly.min.js');
}
