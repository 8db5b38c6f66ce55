#!/usr/bin/env node
// Builds the optional native kernels (onednn-kernels.cc) into build/onednn-kernels.node.
// Plain JavaScript: it runs in `npm run build` before TypeScript does.
//
// Needs g++, Debian's libdnnl-dev and Node's own headers (<node prefix>/include/node, shipped with
// every Node.js build). When one is missing it says which and exits 0: the wasm engine then runs its
// own kernels, and initEngine() reports why (EngineInfo.nativeKernels).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'onednn-kernels.cc');
// The headers it includes from this folder: a change to one rebuilds the addon too.
const headers = [join(here, 'winograd-f2x3.h')];
const output = join(here, 'build', 'onednn-kernels.node');
const nodeHeaders = join(dirname(dirname(process.execPath)), 'include', 'node');

const say = (message) => console.log(`[native] ${message}`);

function missing() {
  if (spawnSync('g++', ['--version'], { stdio: 'ignore' }).status !== 0)
    return 'g++ (apt-get install g++)';
  if (!existsSync('/usr/include/oneapi/dnnl/dnnl.h')) return 'oneDNN (apt-get install libdnnl-dev)';
  if (!existsSync(join(nodeHeaders, 'node_api.h'))) return `Node's headers (${nodeHeaders})`;
  return undefined;
}

const upToDate =
  existsSync(output) &&
  statSync(output).mtimeMs >=
    Math.max(
      ...[source, ...headers, fileURLToPath(import.meta.url)].map((file) => statSync(file).mtimeMs),
    );
if (upToDate) process.exit(0);

const lacking = missing();
if (lacking !== undefined) {
  // A stale build of older source must not be loaded in its place.
  rmSync(output, { force: true });
  say(`not built: ${lacking} is missing; the wasm engine uses its own kernels`);
  process.exit(0);
}
mkdirSync(dirname(output), { recursive: true });
// -ffp-contract=off: no multiply and add fused into one rounding, in any clone (the kernels promise
// tfjs' float32 operations, each rounded on its own; GCC's C++ default would fuse where FMA exists).
const args = [
  '-std=c++17',
  '-O3',
  '-ffp-contract=off',
  '-fPIC',
  '-shared',
  '-fopenmp',
  '-Wall',
  '-Wextra',
];
args.push(`-I${nodeHeaders}`, source, '-o', output, '-ldnnl');
say(`g++ ${args.join(' ')}`);
const result = spawnSync('g++', args, { stdio: 'inherit' });
if (result.status !== 0) {
  rmSync(output, { force: true });
  console.error('[native] g++ failed: see above. Fix it, or run without native kernels.');
  process.exit(result.status ?? 1);
}
