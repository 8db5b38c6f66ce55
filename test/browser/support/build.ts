/** Builds the widget front ends once per test file (esbuild, a few seconds). */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..', '..');

/** Runs widgets/scripts/build-frontends.mjs so tests never see stale bundles. */
export function buildFrontends(): void {
  execFileSync(process.execPath, [path.join(REPO, 'widgets', 'scripts', 'build-frontends.mjs')], {
    stdio: 'pipe',
  });
}

/** Repository root. */
export const REPO_ROOT = REPO;
