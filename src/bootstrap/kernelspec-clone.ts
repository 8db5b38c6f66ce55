/**
 * Which clone the `tslab-widgets` kernel runs. Jupyter keeps one kernelspec of that name per user,
 * so it runs the clone that last ran `npm start`; `npm start` says which one, and when it moved.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

/** The kernelspec Jupyter uses for a kernel name, and the clone its launcher belongs to. */
export interface KernelspecClone {
  /** Folder of the kernelspec (holds kernel.json). */
  readonly specDir: string;
  /** Root of the repository whose `packages/tslab-widgets/bin/tslab-widgets.js` the kernel runs. */
  readonly clone: string;
}

const KERNEL_NAME = 'tslab-widgets';

/**
 * Reads `jupyter kernelspec list --json` output; `undefined` when it has no `tslab-widgets` spec
 * or that spec does not run a tslab-widgets launcher.
 */
export function parseKernelspecListing(listingJson: string): KernelspecClone | undefined {
  let listing: unknown;
  try {
    listing = JSON.parse(listingJson);
  } catch {
    return undefined;
  }
  const entry = (
    listing as {
      kernelspecs?: Record<string, { resource_dir?: unknown; spec?: { argv?: unknown } }>;
    }
  ).kernelspecs?.[KERNEL_NAME];
  const argv = entry?.spec?.argv;
  const launcher = Array.isArray(argv) ? argv[1] : undefined;
  if (typeof entry?.resource_dir !== 'string' || typeof launcher !== 'string') return undefined;
  if (!launcher.endsWith(path.join('bin', 'tslab-widgets.js'))) return undefined;
  // <clone>/packages/tslab-widgets/bin/tslab-widgets.js
  return {
    specDir: entry.resource_dir,
    clone: path.resolve(path.dirname(launcher), '..', '..', '..'),
  };
}

/**
 * The `tslab-widgets` kernelspec Jupyter would use now, if any (asks `jupyter kernelspec list`).
 *
 * @param env - the environment Jupyter runs in (its JUPYTER_PATH decides which spec wins).
 */
export function findKernelspecClone(
  jupyter: string,
  env: NodeJS.ProcessEnv = process.env,
): KernelspecClone | undefined {
  const result = spawnSync(jupyter, ['kernelspec', 'list', '--json'], { encoding: 'utf8', env });
  return result.status === 0 ? parseKernelspecListing(result.stdout) : undefined;
}

/**
 * The line `npm start` prints after installing the kernelspec: which clone the kernel runs, the
 * clone it ran before when that differs, or a warning when Jupyter uses another clone's spec.
 */
export function describeKernelspecClone(
  before: KernelspecClone | undefined,
  after: KernelspecClone | undefined,
  repoRoot: string,
): string {
  const here = path.resolve(repoRoot);
  if (after === undefined) {
    return `warning: Jupyter lists no ${KERNEL_NAME} kernelspec after installing it; check \`jupyter kernelspec list\`.`;
  }
  if (path.resolve(after.clone) !== here) {
    return (
      `warning: Jupyter's ${KERNEL_NAME} kernelspec (${after.specDir}) runs another clone, ${after.clone}, ` +
      'not this one; another kernelspec folder on JUPYTER_PATH shadows the one just installed.'
    );
  }
  const moved =
    before !== undefined && path.resolve(before.clone) !== here
      ? ` It ran ${before.clone} before: the kernelspec is per user, and \`npm start\` in a clone points it there.`
      : '';
  return `the ${KERNEL_NAME} kernel runs this clone, ${here} (kernelspec: ${after.specDir}).${moved}`;
}
