/**
 * Makes sure the compiled packages and the front-end bundles the browser tests load are current.
 * `npm test` builds everything before jest, so normally both checks find the outputs newer than
 * the sources and do nothing; after an edit they rebuild. Rebuilds are serialised across jest
 * workers with a lock folder, so two test files never write the same bundle at once.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..', '..');

/** Repository root. */
export const REPO_ROOT = REPO;

const FRONTEND_SOURCES = [
  // The bundles import from widgets/src (schema, colour scales, method colours) and from core's
  // colormap module: watch them whole rather than a list that drifts.
  'widgets/frontend',
  'widgets/src',
  'packages/core/src/heatmap',
  'widgets/scripts',
];
const FRONTEND_OUTPUTS = [
  'widgets/esm/index.mjs',
  'widgets/esm/fallback-runtime.js',
  'widgets/amd/index.js',
  'widgets/nbextension/rlrp-widgets/extension.js',
];
// Each project's sources against its build info, which tsc -b rewrites (or touches) whenever it
// brings that project up to date.
const PACKAGES = ['packages/core', 'packages/tslab-widgets', 'widgets'];

function newestMtime(relative: string): number {
  const target = path.join(REPO, relative);
  if (!fs.existsSync(target)) return 0;
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(
    0,
    ...fs.readdirSync(target).map((entry) => newestMtime(path.join(relative, entry))),
  );
}

function upToDate(sources: readonly string[], outputs: readonly string[]): boolean {
  const newestSource = Math.max(...sources.map(newestMtime));
  return outputs.every((o) => {
    const file = path.join(REPO, o);
    return fs.existsSync(file) && fs.statSync(file).mtimeMs >= newestSource;
  });
}

/** Runs `build` while holding a lock folder shared by all jest workers. */
function withBuildLock(build: () => void): void {
  const lock = path.join(REPO, 'test-artifacts', '.browser-build.lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`build lock ${lock} held for 5 minutes; remove it if stale`);
      execFileSync('sleep', ['0.5']);
    }
  }
  try {
    build();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Bundles the front ends (widgets/scripts/build-frontends.mjs) unless they are current. */
export function buildFrontends(): void {
  if (upToDate(FRONTEND_SOURCES, FRONTEND_OUTPUTS)) return;
  withBuildLock(() => {
    if (upToDate(FRONTEND_SOURCES, FRONTEND_OUTPUTS)) return;
    execFileSync(process.execPath, [path.join(REPO, 'widgets', 'scripts', 'build-frontends.mjs')], {
      stdio: 'pipe',
    });
  });
}

/** True when the compiled packages are at least as new as their sources. */
export function packagesUpToDate(): boolean {
  return PACKAGES.every((p) => upToDate([`${p}/src`], [`${p}/dist/.tsbuildinfo`]));
}

/** Runs `build` under the shared build lock. */
export function underBuildLock(build: () => void): void {
  withBuildLock(build);
}
