/**
 * Builds what the JupyterLab browser test serves, once per content of its inputs:
 * - the test JupyterLab application (support/jupyterlab-app, webpack, ~45 s on two cores), cached in
 *   node_modules/.cache/rlrp-jupyterlab/app-<hash of package-lock.json and the app's files>;
 * - the prebuilt extension widgets/labextension/prebuilt (@jupyterlab/builder, ~35 s), rebuilt when
 *   its sources, the views it bundles or the lock file change (hash stamp in the same cache).
 * `flock` keeps two jest workers from building at once; a build's time and peak memory are printed.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../../src/build/workspace-build';

/** The test application's sources (also the `--core-path` the extension is built against). */
export const LAB_APP_DIR = path.join(REPO_ROOT, 'test', 'browser', 'support', 'jupyterlab-app');
const CACHE = path.join(REPO_ROOT, 'node_modules', '.cache', 'rlrp-jupyterlab');
const LOCK = path.join(CACHE, 'build.lock');

const LABEXTENSION_INPUTS = [
  'widgets/labextension/src',
  'widgets/labextension/scripts',
  'widgets/labextension/package.json',
  'widgets/labextension/webpack.config.js',
  'widgets/frontend',
  'widgets/src/schema.ts',
  'widgets/src/colormaps.ts',
];

function hashInputs(relatives: readonly string[]): string {
  const hash = createHash('sha256');
  const visit = (file: string): void => {
    if (!fs.existsSync(file)) return;
    if (fs.statSync(file).isDirectory()) {
      for (const entry of fs.readdirSync(file).sort()) visit(path.join(file, entry));
      return;
    }
    hash.update(path.relative(REPO_ROOT, file)).update(fs.readFileSync(file));
  };
  for (const relative of ['package-lock.json', ...relatives]) visit(path.join(REPO_ROOT, relative));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Runs `node args` under the build lock unless `doneMarker` exists once the lock is held, then
 * creates the marker. Checking under the lock matters: the JupyterLab and Notebook 7 tests start
 * in parallel jest workers and both find the cache empty; the second must wait, then reuse.
 */
function runLocked(args: readonly string[], what: string, doneMarker: string): void {
  fs.mkdirSync(CACHE, { recursive: true });
  const script =
    'test -e "$1" && echo "$1: built by another worker" && exit 0; m="$1"; shift; "$@" && touch "$m"';
  try {
    const output = execFileSync(
      'flock',
      [LOCK, 'sh', '-c', script, 'sh', doneMarker, process.execPath, ...args],
      { cwd: REPO_ROOT, stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 },
    );
    // The last line carries the build's time and peak memory.
    console.log(output.toString().trim().split('\n').slice(-1)[0]);
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`${what} failed:\n${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`);
  }
}

/** Builds the test JupyterLab application unless its cache is current; returns the build folder. */
export function buildJupyterLabApp(): string {
  const output = path.join(CACHE, `app-${hashInputs([path.relative(REPO_ROOT, LAB_APP_DIR)])}`);
  const done = path.join(output, 'main.js');
  if (!fs.existsSync(done)) {
    runLocked([path.join(LAB_APP_DIR, 'build.js'), output], 'building the test JupyterLab', done);
  }
  return output;
}

/** Builds widgets/labextension/prebuilt unless it was built from the current sources. */
export function buildLabextension(): void {
  const stamp = path.join(CACHE, `labextension-${hashInputs(LABEXTENSION_INPUTS)}.stamp`);
  const manifest = path.join(REPO_ROOT, 'widgets', 'labextension', 'prebuilt', 'package.json');
  if (fs.existsSync(stamp) && fs.existsSync(manifest)) return;
  // Built from these sources, but the output was deleted since: build again.
  if (fs.existsSync(stamp)) fs.rmSync(stamp);
  runLocked(
    [
      path.join(REPO_ROOT, 'widgets', 'labextension', 'scripts', 'build.mjs'),
      '--core-path',
      LAB_APP_DIR,
    ],
    'building the JupyterLab extension',
    stamp,
  );
}
