/**
 * Loads an optional module by id, the way Node's `require` does. The native engines are optional
 * peer dependencies, so they are loaded only when asked for; making the loader a parameter lets
 * bundlers and tests supply their own.
 */
export type ModuleLoader = (moduleId: string) => unknown;

/** The default loader: Node's `require`, resolved from @rlrp/core's own location. */
// A static import would make the optional native packages mandatory; only `require` can try them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const requireModule: ModuleLoader = (moduleId) => require(moduleId) as unknown;

/**
 * True when `error` says that `moduleId` itself is not installed (as opposed to a module that is
 * installed but fails to load, e.g. a native library that is missing).
 */
export function isModuleNotInstalled(error: unknown, moduleId: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (
    code === 'MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`'${moduleId}'`)
  );
}
