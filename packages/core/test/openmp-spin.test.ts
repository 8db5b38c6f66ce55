/**
 * The native kernels' threads spin 1000 polls at a barrier before they sleep, unless the user set
 * libgomp's wait; the setting reaches libgomp (its own report, OMP_DISPLAY_ENV) and does not stay
 * in the environment of processes started later.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { OPENMP_SPIN_COUNT, withOpenMpSpinCount } from '../src/engine/openmp-spin';

const ADDON_LOADER = path.resolve(__dirname, '..', 'src', 'engine', 'onednn-addon.ts');

/** libgomp's spin count and wait policy as it reports them in a fresh process, and the env after. */
function inFreshProcess(env: Record<string, string>): {
  spinCount: string | undefined;
  waitPolicy: string | undefined;
  envAfter: unknown;
} {
  const script =
    `const { loadOneDnnAddon } = require(${JSON.stringify(ADDON_LOADER)});` +
    `if (!loadOneDnnAddon().addon) throw new Error('the addon must load here');` +
    `console.log(JSON.stringify(process.env.GOMP_SPINCOUNT ?? null));`;
  const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], {
    cwd: path.resolve(__dirname, '..'),
    env: { PATH: process.env.PATH ?? '', OMP_DISPLAY_ENV: 'VERBOSE', ...env },
    encoding: 'utf8',
  });
  expect(run.status).toBe(0);
  const report = (name: string) => new RegExp(`${name} = '([^']*)'`).exec(run.stderr)?.[1];
  return {
    spinCount: report('GOMP_SPINCOUNT'),
    waitPolicy: report('OMP_WAIT_POLICY'),
    envAfter: JSON.parse(run.stdout.trim().split('\n').pop() ?? 'undefined'),
  };
}

describe('the OpenMP spin count', () => {
  it('reaches libgomp when the addon loads, and leaves the environment as it was', () => {
    const result = inFreshProcess({});
    expect(result.spinCount).toBe(OPENMP_SPIN_COUNT);
    expect(result.envAfter).toBeNull();
  });

  it('leaves a spin count or a wait policy the user set alone', () => {
    expect(inFreshProcess({ GOMP_SPINCOUNT: '5000' }).spinCount).toBe('5000');
    const active = inFreshProcess({ OMP_WAIT_POLICY: 'active' });
    expect(active.waitPolicy).toBe('ACTIVE');
    expect(active.spinCount).not.toBe(OPENMP_SPIN_COUNT);
  });

  it('is taken away again when loading throws', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(() =>
      withOpenMpSpinCount(() => {
        expect(env.GOMP_SPINCOUNT).toBe(OPENMP_SPIN_COUNT);
        throw new Error('no addon');
      }, env),
    ).toThrow('no addon');
    expect(env).toEqual({});
  });
});
