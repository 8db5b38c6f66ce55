/**
 * The Node options a pool worker starts with: this thread's, without the module loaders it was
 * started with (`--require`, `--import`, `--loader`, `--experimental-loader`). A worker inherits
 * them by default, yet runs only this package's compiled JavaScript, which needs none. Why: under
 * `tsx` (TypeScript scripts, `npm run bench:pool`, `npm run reproduce`) the inherited loader saw
 * every module a worker loads, and a worker took 840–860 ms to load the MNIST CNN against
 * 370–430 ms without it (ExplainPool.start with one worker, three runs each).
 */
const LOADERS = ['--require', '-r', '--import', '--loader', '--experimental-loader'];

/** `execArgv` without its module loaders, in either form (`--import x` or `--import=x`). */
export function withoutModuleLoaders(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const option = execArgv[i];
    if (LOADERS.includes(option)) {
      i++; // and its value
    } else if (!LOADERS.some((loader) => option.startsWith(`${loader}=`))) {
      kept.push(option);
    }
  }
  return kept;
}
