/**
 * How a pool worker is started from the compiled package: without tsx's loader when this thread
 * was started with it. A worker inherits its parent's options, and under `tsx` (TypeScript
 * scripts, `npm run bench:pool`, `npm run reproduce`) the inherited loader saw every module a
 * worker loads: `ExplainPool.start` with one worker on the MNIST CNN took 839–858 ms against
 * 370–429 ms under plain `node` (three runs each). Other preloads stay, since a worker may need
 * them to find its modules at all (Yarn's `.pnp.cjs`).
 */
import { Worker } from 'worker_threads';

const LOADERS = ['--require', '-r', '--import', '--loader', '--experimental-loader'];

/**
 * Whether `module`, a loader option's value, is tsx's own: the package by name (`tsx`,
 * `tsx/cjs`) or a file of it in a `node_modules` folder. A folder of the user's that happens to be
 * called `tsx` is not.
 */
function isTsx(module: string): boolean {
  return /^tsx(\/|$)/.test(module) || /[\\/]node_modules[\\/]tsx[\\/]/.test(module);
}

/** `execArgv` without tsx's loader options, in either form (`--import x` or `--import=x`). */
export function withoutTsxLoaders(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const option = execArgv[i];
    const joined = LOADERS.find((loader) => option.startsWith(`${loader}=`));
    if (LOADERS.includes(option) && i + 1 < execArgv.length && isTsx(execArgv[i + 1])) {
      i++; // and its value
    } else if (!(joined && isTsx(option.slice(joined.length + 1)))) {
      kept.push(option);
    }
  }
  return kept;
}

/**
 * A worker running `script`, started without tsx's loader when `execArgv` (this thread's) has it.
 * Node refuses some options given to a worker explicitly that it passes on by inheritance (V8's,
 * such as `--max-old-space-size`): then the worker inherits them all, loader included.
 */
export function startWorkerWithoutTsx(
  script: string,
  execArgv: readonly string[] = process.execArgv,
): Worker {
  const kept = withoutTsxLoaders(execArgv);
  if (kept.length === execArgv.length) return new Worker(script);
  try {
    return new Worker(script, { execArgv: kept });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    return new Worker(script);
  }
}
