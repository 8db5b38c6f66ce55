#!/usr/bin/env node
// Sets up whatever a fresh clone is missing, before `npm start` or `npm test` run.
// Plain JavaScript on purpose: it runs before any npm dependency (tsx, TypeScript) is installed.
//
//   node src/bootstrap/setup.mjs start   npm deps, Jupyter (Debian), build (src/start.ts then registers the kernelspec and nbextension)
//   node src/bootstrap/setup.mjs test    the same plus the test-only system packages (Chromium, …)
//   node src/bootstrap/setup.mjs bench   the same as start plus the benchmark's PyTorch baseline
//   node src/bootstrap/setup.mjs browser the same as start plus headless Chromium (bench:widgets, figures)
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const mode = process.argv[2] ?? 'start';

/** Debian packages, by what needs them. Installed without Recommends: see README.md, "Troubleshooting". */
const PACKAGES = {
  start: [
    'jupyter-notebook',
    'jupyter-client',
    'python3-nbclient',
    'jupyter-nbconvert',
    // The native kernels (packages/core/native): oneDNN's convolutions and matrix products, built
    // by `npm run build` with Node's own headers.
    'g++',
    'libdnnl-dev',
  ],
  test: [
    'python3-jupyter-kernel-test',
    'chromium',
    'dataset-fashion-mnist',
    // The JupyterLab 4 browser test's server (test/browser/support/jupyterlab-app).
    'python3-jupyter-server',
    'python3-jupyterlab-server',
  ],
  // `npm run bench` compares with PyTorch. Debian's python3-torch links the reference BLAS unless an
  // optimised one is installed (a 1024² matrix product: 1.7 s against 0.13 s with OpenBLAS), which
  // would make the baseline meaningless.
  bench: ['python3-torch', 'libopenblas0-pthread'],
  // `npm run bench:widgets` and `npm run figures` drive the live widgets in a real Chromium.
  browser: ['chromium'],
};

const say = (message) => console.log(`[setup] ${message}`);

/** Runs a command in the repository; its exit status (null when a signal ended it). */
function attempt(command, args, options = {}) {
  say(`${command} ${args.join(' ')}`);
  return spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options }).status;
}

function run(command, args, options = {}) {
  const status = attempt(command, args, options);
  if (status !== 0) {
    console.error(`[setup] failed: ${command} ${args.join(' ')} (exit ${status})`);
    process.exit(status ?? 1);
  }
}

function npmDependencies() {
  const lock = join(root, 'package-lock.json');
  const installed = join(root, 'node_modules', '.package-lock.json');
  const fresh = existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs;
  if (fresh) return;
  const ci = ['ci', '--no-audit', '--no-fund'];
  // Once more on a failure: a slow registry has cut a download short mid-extraction (a 68 s
  // tarball fetch, then TAR_ENTRY_ERROR and a postinstall script missing its file). npm ci starts
  // from an empty node_modules, and a failure of the lock itself fails the second time too.
  const status = attempt('npm', ci);
  if (status === 0) return;
  say(`npm ci failed (exit ${status}): trying once more`);
  run('npm', ci);
}

function isInstalled(pkg) {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.includes('install ok installed');
}

function debianPackages(wanted) {
  const missing = wanted.filter((p) => !isInstalled(p));
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    console.error(
      `[setup] missing system packages: ${missing.join(' ')}.\n` +
        `        Install them with:  sudo apt-get install --no-install-recommends ${missing.join(' ')}\n` +
        '        (Debian/Ubuntu). Jupyter Notebook 6.x from any other source works too.',
    );
    process.exit(1);
  }
  run('apt-get', ['update', '-q']);
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

function build() {
  run('npm', ['run', 'build', '--silent']);
}

/**
 * Node.js ≥ 20 (package.json "engines"; npm only warns). Debian 12's own nodejs is 18, so say where a
 * newer one comes from instead of failing later in an obscure way.
 */
function requireNode20() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 20) return;
  console.error(
    `[setup] Node.js ${process.versions.node} is too old: this project needs Node.js 20 or newer ` +
      "(Debian 12's nodejs package is 18). Install Node.js 20+ (e.g. from nodejs.org or NodeSource), then run again.",
  );
  process.exit(1);
}

requireNode20();
npmDependencies();
debianPackages([...new Set([...PACKAGES.start, ...(PACKAGES[mode] ?? [])])]);
build();
say('ready');
