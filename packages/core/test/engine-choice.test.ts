/**
 * Engine choice: the selection logic is tested with an injected module loader (the native
 * packages cannot be installed on this machine), the wasm path for real.
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'child_process';
import * as path from 'path';
import { EngineError } from '../src/errors';
import {
  currentEngine,
  ENGINE_NAMES,
  initEngine,
  type ModuleLoader,
  wasmBinaryDirectory,
} from '../src/engine/index';

const GPU = '@tensorflow/tfjs-node-gpu';
const NODE = '@tensorflow/tfjs-node';

/** Node's own "not installed" error for `moduleId`. */
function notInstalled(moduleId: string): Error {
  return Object.assign(new Error(`Cannot find module '${moduleId}'\nRequire stack:\n- x.js`), {
    code: 'MODULE_NOT_FOUND',
  });
}

/**
 * A loader where `present` packages load by registering a "tensorflow" backend (backed by the
 * cpu kernels' backend class: the name is what the selection logic looks at), `broken` ones throw
 * like a native addon whose shared library is missing, and the rest are not installed.
 */
function fakeLoader(
  present: readonly string[],
  broken: readonly string[] = [],
): ModuleLoader & { calls: string[] } {
  const calls: string[] = [];
  const loader = (moduleId: string): unknown => {
    calls.push(moduleId);
    if (broken.includes(moduleId)) {
      throw new Error(
        'libtensorflow.so.2: cannot open shared object file: No such file or directory',
      );
    }
    if (!present.includes(moduleId)) throw notInstalled(moduleId);
    tf.registerBackend('tensorflow', tf.findBackendFactory('cpu'), 0);
    return {};
  };
  return Object.assign(loader, { calls });
}

afterEach(async () => {
  await tf.setBackend('wasm');
  if (tf.findBackendFactory('tensorflow') != null) tf.removeBackend('tensorflow');
});

describe('automatic choice', () => {
  it('prefers tfjs-node-gpu when it is installed', async () => {
    const loader = fakeLoader([GPU, NODE]);
    const info = await initEngine({ engine: 'auto', loadModule: loader });
    expect(info.name).toBe('tensorflow-gpu');
    expect(info.backend).toBe('tensorflow');
    expect(tf.getBackend()).toBe('tensorflow');
    expect(info.candidatesTried).toEqual([
      expect.objectContaining({ engine: 'tensorflow-gpu', outcome: 'chosen' }),
    ]);
    expect(loader.calls).toEqual([GPU]);
    expect(currentEngine()).toBe(info);
  });

  it('takes tfjs-node when only it is installed', async () => {
    const loader = fakeLoader([NODE]);
    const info = await initEngine({ loadModule: loader, env: {} });
    expect(info.name).toBe('tensorflow');
    expect(info.backend).toBe('tensorflow');
    expect(info.candidatesTried.map((a) => [a.engine, a.outcome])).toEqual([
      ['tensorflow-gpu', 'not-installed'],
      ['tensorflow', 'chosen'],
    ]);
    expect(info.reason).toContain('tensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed');
  });

  it('skips a native package that is installed but fails to load', async () => {
    const info = await initEngine({ loadModule: fakeLoader([NODE], [GPU]), env: {} });
    expect(info.name).toBe('tensorflow');
    expect(info.candidatesTried[0]).toEqual(
      expect.objectContaining({ engine: 'tensorflow-gpu', outcome: 'failed' }),
    );
    expect(info.candidatesTried[0].detail).toContain('libtensorflow.so.2');
  });

  it('falls back to wasm when no native package is installed', async () => {
    const info = await initEngine({ loadModule: fakeLoader([]), env: {} });
    expect(info.name).toBe('wasm');
    expect(info.backend).toBe('wasm');
    expect(info.candidatesTried.map((a) => a.outcome)).toEqual([
      'not-installed',
      'not-installed',
      'chosen',
    ]);
  });

  it('reports a native package that loads into another copy of tfjs', async () => {
    const silentLoader: ModuleLoader = (id) =>
      id === GPU
        ? {}
        : (() => {
            throw notInstalled(id);
          })();
    const info = await initEngine({ loadModule: silentLoader, env: {} });
    expect(info.name).toBe('wasm');
    expect(info.candidatesTried[0].outcome).toBe('failed');
    expect(info.candidatesTried[0].detail).toMatch(/did not register the "tensorflow" backend/);
  });

  it('uses the real require on this machine, where no native package is installed', async () => {
    const info = await initEngine({ env: {} });
    expect(info.name).toBe('wasm');
    expect(info.candidatesTried.slice(0, 2).map((a) => a.outcome)).toEqual([
      'not-installed',
      'not-installed',
    ]);
  });
});

describe('explicit requests', () => {
  it.each([
    ['tensorflow-gpu', GPU],
    ['tensorflow', NODE],
  ] as const)('%s absent → EngineError with the install command', async (engine, moduleId) => {
    const error = await initEngine({ engine, loadModule: fakeLoader([]) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as Error).message).toContain(`npm install ${moduleId}@${tf.version_core}`);
    expect((error as Error).message).toContain('is not installed');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('a broken native package → EngineError with its load error', async () => {
    const error = await initEngine({
      engine: 'tensorflow',
      loadModule: fakeLoader([], [NODE]),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as Error).message).toMatch(/installed but failed to load: libtensorflow/);
  });

  it('picks an explicit engine even when a faster one is present', async () => {
    const info = await initEngine({ engine: 'cpu', loadModule: fakeLoader([GPU, NODE]) });
    expect(info).toEqual(
      expect.objectContaining({
        name: 'cpu',
        backend: 'cpu',
        candidatesTried: [expect.objectContaining({ engine: 'cpu', outcome: 'chosen' })],
      }),
    );
    expect(info.reason).toContain('requested by option "engine"');
  });

  it('takes the engine from RLRP_ENGINE', async () => {
    const info = await initEngine({ env: { RLRP_ENGINE: 'CPU' }, loadModule: fakeLoader([GPU]) });
    expect(info.name).toBe('cpu');
    expect(info.reason).toContain('environment variable RLRP_ENGINE');
  });

  it('the option beats RLRP_ENGINE', async () => {
    const info = await initEngine({ engine: 'wasm', env: { RLRP_ENGINE: 'cpu' } });
    expect(info.name).toBe('wasm');
  });

  it('an absent engine named in RLRP_ENGINE is an error, not a silent fallback', async () => {
    await expect(
      initEngine({ env: { RLRP_ENGINE: 'tensorflow-gpu' }, loadModule: fakeLoader([]) }),
    ).rejects.toThrow(/requested by environment variable RLRP_ENGINE/);
  });

  it.each([
    [{ engine: 'webgpu' as never }, 'option "engine"'],
    [{ env: { RLRP_ENGINE: 'tpu' } }, 'RLRP_ENGINE'],
  ])('an invalid name is an EngineError listing the valid names', async (options, source) => {
    const error = await initEngine(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as Error).message).toContain(source);
    for (const name of ['auto', ...ENGINE_NAMES]) expect((error as Error).message).toContain(name);
  });
});

describe('idempotence', () => {
  it('returns the same answer twice, also when called concurrently', async () => {
    const [a, b] = await Promise.all([
      initEngine({ engine: 'wasm' }),
      initEngine({ engine: 'wasm' }),
    ]);
    expect(b).toBe(a);
    expect(await initEngine({ engine: 'wasm' })).toBe(a);
    expect(currentEngine()).toBe(a);
  });

  it('switches when asked for another engine, and currentEngine follows', async () => {
    await initEngine({ engine: 'wasm' });
    const cpu = await initEngine({ engine: 'cpu' });
    expect(currentEngine()).toBe(cpu);
    await tf.setBackend('wasm');
    expect(currentEngine()).toBeUndefined();
  });

  it('computes correctly on the engine it chose', async () => {
    await initEngine({ engine: 'wasm' });
    const before = tf.memory().numTensors;
    const y = tf.tidy(() =>
      tf.conv2d(
        tf.ones([1, 4, 4, 1]) as tf.Tensor4D,
        tf.ones([3, 3, 1, 1]) as tf.Tensor4D,
        1,
        'same',
      ),
    );
    expect(Array.from(await y.data())).toEqual([4, 6, 6, 4, 6, 9, 9, 6, 6, 9, 9, 6, 4, 6, 6, 4]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('wasm in a fresh process (no test setup)', () => {
  it('loads the binaries from the installed package, without any network', () => {
    const repoRoot = path.resolve(__dirname, '../../..');
    const script = [
      "globalThis.fetch = (url) => { throw new Error('network used: ' + url); };",
      "const { initEngine, currentEngine } = require('./packages/core/src/engine/index.ts');",
      "const tf = require('@tensorflow/tfjs');",
      '(async () => {',
      '  const info = await initEngine({ env: {} });',
      '  const again = await initEngine({ env: {} });',
      "  const sum = tf.tidy(() => tf.conv2d(tf.ones([1, 3, 3, 1]), tf.ones([3, 3, 1, 1]), 1, 'valid').dataSync()[0]);",
      '  console.log(JSON.stringify({ info, same: info === again, current: currentEngine() === info, backend: tf.getBackend(), sum }));',
      '})().catch((e) => { console.error(e); process.exit(1); });',
    ].join('\n');
    const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');
    const out = execFileSync(tsx, ['-e', script], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, RLRP_ENGINE: '' },
    });
    const result = JSON.parse(out.trim().split('\n').pop() ?? '{}');
    expect(result.backend).toBe('wasm');
    expect(result.sum).toBe(9);
    expect(result.same).toBe(true);
    expect(result.current).toBe(true);
    expect(result.info.name).toBe('wasm');
    expect(result.info.candidatesTried[2].detail).toBe(
      `wasm binaries from ${wasmBinaryDirectory()}`,
    );
    expect(wasmBinaryDirectory()).toContain(
      path.join('node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'),
    );
  });
});
