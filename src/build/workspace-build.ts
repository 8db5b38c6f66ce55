/**
 * Bringing the compiled packages and the widget front-end bundles up to date before something loads
 * them (the kernel in the browser and notebook tests, `npm run notebooks:execute`).
 *
 * - One compiler: TypeScript 5.9 from `typescript`. `node_modules/.bin/tsc` is not it — tslab's
 *   TypeScript 5.0 fork owns that name — and two compilers alternately rewriting the same build
 *   info made every build a full one.
 * - One lock: `flock` on one file, so jest workers and scripts never compile or bundle at once; the
 *   kernel releases it if a process dies.
 * - No fallback: when tsc fails this throws with its output. Running on an older `dist/` would
 *   let tests pass on code that no longer compiles.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Repository root. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

const LOCK = path.join(os.tmpdir(), 'rlrp-workspace-build.lock');
const TSC = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** Runs `node <script> ...args` in the repository while holding the build lock. */
function underLock(script: string, args: readonly string[], what: string): void {
  try {
    execFileSync('flock', [LOCK, process.execPath, script, ...args], {
      cwd: REPO_ROOT,
      stdio: 'pipe',
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`${what} failed:\n${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`);
  }
}

/** `tsc -b` on workspace projects (incremental: a no-op when nothing changed). */
export function compileProjects(projects: readonly string[]): void {
  underLock(TSC, ['-b', ...projects], `tsc -b ${projects.join(' ')}`);
}

/** What the bundles are made of; core is read compiled (widgets import its colormap tables). */
const FRONTEND_SOURCES = [
  'widgets/frontend',
  'widgets/src',
  'widgets/scripts',
  'packages/core/dist/heatmap',
];
const FRONTEND_OUTPUTS = [
  'widgets/esm/index.mjs',
  'widgets/esm/fallback-runtime.js',
  'widgets/amd/index.js',
  'widgets/nbextension/rlrp-widgets/extension.js',
];

function newestMtime(relative: string): number {
  const target = path.join(REPO_ROOT, relative);
  if (!fs.existsSync(target)) return 0;
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(
    0,
    ...fs.readdirSync(target).map((entry) => newestMtime(path.join(relative, entry))),
  );
}

/**
 * Bundles the front ends (widgets/scripts/build-frontends.mjs) when a source is newer than a
 * bundle; compiles core first, since the bundles read its compiled colormaps. The script writes
 * each bundle to a temporary file and renames it, so a reader never sees half a bundle.
 */
export function bundleFrontends(): void {
  compileProjects(['packages/core']);
  const newestSource = Math.max(...FRONTEND_SOURCES.map(newestMtime));
  const current = FRONTEND_OUTPUTS.every((output) => {
    const file = path.join(REPO_ROOT, output);
    return fs.existsSync(file) && fs.statSync(file).mtimeMs >= newestSource;
  });
  if (current) return;
  underLock(
    path.join(REPO_ROOT, 'widgets', 'scripts', 'build-frontends.mjs'),
    [],
    'bundling the widget front ends',
  );
}
