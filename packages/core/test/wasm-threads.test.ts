/**
 * The wasm engine's threads: how many are asked for, the facts the Node patch of tfjs-backend-wasm's
 * threaded build relies on (checked against the installed bundle, so that a tfjs upgrade fails here
 * first), and the threaded engine itself in fresh processes (the thread count is fixed once the
 * wasm engine starts, and this process's engine was started by the test setup).
 */
import * as tf from '@tensorflow/tfjs';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { EngineError } from '../src/errors';
import { initEngine } from '../src/engine/index';
import { MAX_WASM_THREADS, planWasmThreads } from '../src/engine/wasm-thread-request';
import {
  mainScriptPrelude,
  THREADED_PATCH_WASM_VERSION,
  threadedStartBlocker,
  wasmNodeBundlePath,
  WORKER_ON_DEMAND,
} from '../src/engine/wasm-threaded-start';

const bundle = fs.readFileSync(wasmNodeBundlePath(), 'utf8');

describe('planWasmThreads', () => {
  it('uses one thread per logical core by default, at most the pool size', () => {
    expect(planWasmThreads(undefined, {}, 2).threads).toBe(2);
    expect(planWasmThreads(undefined, {}, 64).threads).toBe(MAX_WASM_THREADS);
    expect(planWasmThreads(undefined, {}, 2).reason).toContain('one per logical core (2');
  });

  it('stays on one thread inside a Jest worker unless asked for more', () => {
    const plan = planWasmThreads(undefined, { JEST_WORKER_ID: '1' }, 4);
    expect(plan).toEqual({ threads: 1, reason: expect.stringContaining('Jest worker') });
    expect(planWasmThreads(3, { JEST_WORKER_ID: '1' }, 4).threads).toBe(3);
  });

  it('takes the option over RLRP_WASM_THREADS, and caps both at the pool size', () => {
    expect(planWasmThreads(undefined, { RLRP_WASM_THREADS: ' 1 ' }, 2)).toEqual({
      threads: 1,
      reason: '1 requested by environment variable RLRP_WASM_THREADS',
    });
    expect(planWasmThreads(2, { RLRP_WASM_THREADS: '1' }, 2).threads).toBe(2);
    expect(planWasmThreads(undefined, { RLRP_WASM_THREADS: 'AUTO' }, 2).threads).toBe(2);
    const capped = planWasmThreads(12, {}, 2);
    expect(capped.threads).toBe(MAX_WASM_THREADS);
    expect(capped.reason).toContain('capped');
  });

  it.each([
    [0, 'option "threads"'],
    [1.5, 'option "threads"'],
    [-2, 'option "threads"'],
  ])('rejects %p from the option with a typed error', (threads, source) => {
    expect(() => planWasmThreads(threads, {})).toThrow(EngineError);
    expect(() => planWasmThreads(threads, {})).toThrow(source);
  });

  it('rejects a malformed RLRP_WASM_THREADS, naming it and the valid values', () => {
    const call = () => planWasmThreads(undefined, { RLRP_WASM_THREADS: 'two' });
    expect(call).toThrow(EngineError);
    expect(call).toThrow(/"two".*RLRP_WASM_THREADS.*whole number.*"auto"/);
  });

  it('makes initEngine reject a bad thread count before touching the engine', async () => {
    const backend = tf.getBackend();
    await expect(initEngine({ engine: 'wasm', threads: 0 })).rejects.toThrow(EngineError);
    expect(tf.getBackend()).toBe(backend);
  });
});

describe('the Node patch of the threaded build, against the installed bundle', () => {
  it('finds every fact it relies on in the pinned tfjs-backend-wasm', () => {
    expect(version_wasm).toBe(THREADED_PATCH_WASM_VERSION);
    expect(threadedStartBlocker(bundle)).toBeUndefined();
  });

  it('makes a new pool worker on demand, so the idle ones may be ended after start-up', () => {
    expect(bundle).toContain(WORKER_ON_DEMAND);
  });

  it('defines the module aliases the threaded factory uses', () => {
    const result = mainScriptPrelude(bundle);
    if ('blocker' in result) throw new Error(result.blocker);
    for (const name of new Set(bundle.match(/require\$\$\d+/g))) {
      expect(result.prelude).toMatch(
        new RegExp(`^var ${name.replace(/\$/g, '\\$')} = require`, 'm'),
      );
    }
    expect(result.prelude).toContain('var commonjsGlobal = ');
  });

  it('refuses another tfjs-backend-wasm version, naming both', () => {
    expect(threadedStartBlocker(bundle, '4.23.0')).toBe(
      '@tensorflow/tfjs-backend-wasm is 4.23.0, but the Node patch for its threaded build was ' +
        `written for ${THREADED_PATCH_WASM_VERSION}`,
    );
  });

  it.each([
    ["registerFlag('WASM_HAS_MULTITHREAD_SUPPORT'", 'flag'],
    ['new Blob(["var WasmBackendModuleThreadedSimd', 'main script'],
    ['if(typeof e.data.urlOrBlob==\\"string\\")', 'worker script'],
    ["var require$$4 = require('os');", 'require$$4'],
    ['var commonjsGlobal = ', 'commonjsGlobal'],
  ])('gives a reason when the bundle no longer contains %s', (fact, named) => {
    const altered = bundle.split(fact).join('/* changed */');
    expect(threadedStartBlocker(altered)).toContain(named);
  });
});

describe('the wasm engine in a fresh process', () => {
  const repoRoot = path.resolve(__dirname, '../../..');
  /** Runs `prelude`, then starts the engine with `options` and reports what it computed. */
  function runFresh(options: string, prelude = ''): Record<string, unknown> {
    const script = [
      prelude,
      "const { initEngine } = require('./packages/core/src/engine/index.ts');",
      "const tf = require('@tensorflow/tfjs');",
      '(async () => {',
      `  const info = await initEngine(${options});`,
      "  const x = tf.randomUniform([2, 20, 20, 8], -1, 1, 'float32', 1);",
      "  const k = tf.randomUniform([3, 3, 8, 16], -1, 1, 'float32', 2);",
      "  const y = tf.conv2d(x, k, 1, 'same');",
      '  const values = Array.from(y.dataSync());',
      '  tf.dispose([x, k, y]);',
      '  const pool = tf.backend().wasm.PThread;',
      '  const workers = pool ? [pool.runningWorkers.length, pool.unusedWorkers.length] : null;',
      '  console.log(JSON.stringify({ threads: info.threads, values, tensors: tf.memory().numTensors, workers }));',
      '})().catch((e) => { console.error(e); process.exit(1); });',
    ].join('\n');
    // The call returns only when the child exits on its own: the pool's threads must not keep
    // it alive (the timeout turns a hang into a failure).
    const out = execFileSync(path.join(repoRoot, 'node_modules/.bin/tsx'), ['-e', script], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, RLRP_ENGINE: '', RLRP_WASM_THREADS: '' },
    });
    return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  }

  let singleThreaded: number[] = [];

  it('runs on one thread when asked to, and says so', () => {
    const result = runFresh("{ engine: 'wasm', threads: 1, env: {}, nativeKernels: false }");
    expect(result.threads).toEqual({ count: 1, reason: '1 requested by option "threads"' });
    expect(result.tensors).toBe(0);
    singleThreaded = result.values as number[];
    expect(singleThreaded).toHaveLength(2 * 20 * 20 * 16);
  });

  it('runs on two threads, computes the same convolution, and lets the process exit', () => {
    const result = runFresh("{ engine: 'wasm', threads: 2, env: {}, nativeKernels: false }");
    expect(result.threads).toEqual({ count: 2, reason: '2 requested by option "threads"' });
    expect(result.tensors).toBe(0);
    // One worker runs XNNPACK's second thread; the build's 7 other idle workers (≈ 18 MB of
    // resident memory each) were ended after start-up.
    expect(result.workers).toEqual([1, 0]);
    const values = result.values as number[];
    expect(values).toHaveLength(singleThreaded.length);
    const worst = Math.max(...values.map((v, i) => Math.abs(v - singleThreaded[i])));
    expect(worst).toBeLessThan(1e-4);
  });

  it('falls back to one thread when the worker scripts cannot be written', () => {
    const result = runFresh(
      "{ engine: 'wasm', threads: 2, env: {}, nativeKernels: false }",
      "process.env.TMPDIR = '/nonexistent/rlrp-test';",
    );
    expect(result.threads).toEqual({
      count: 1,
      reason: expect.stringMatching(
        /^2 asked for .*, but the threaded build failed to start \(no temporary directory .*\); running on one thread$/,
      ),
    });
    const values = result.values as number[];
    expect(Math.max(...values.map((v, i) => Math.abs(v - singleThreaded[i])))).toBeLessThan(1e-4);
  });

  it('falls back to one thread when the threaded build fails while starting', () => {
    const result = runFresh(
      "{ engine: 'wasm', threads: 2, env: {}, nativeKernels: false }",
      "require('worker_threads').Worker = class { constructor() { throw new Error('no workers'); } };",
    );
    expect(result.threads).toEqual({
      count: 1,
      reason: expect.stringContaining('but the threaded build failed to start'),
    });
    const values = result.values as number[];
    expect(Math.max(...values.map((v, i) => Math.abs(v - singleThreaded[i])))).toBeLessThan(1e-4);
  });

  it('falls back to one thread with the reason when the threaded build cannot start', () => {
    const result = runFresh(
      "{ engine: 'wasm', threads: 2, env: {}, nativeKernels: false }",
      'delete globalThis.SharedArrayBuffer;',
    );
    expect(result.threads).toEqual({
      count: 1,
      reason:
        '2 asked for (2 requested by option "threads"), but SharedArrayBuffer is not available; ' +
        'running on one thread',
    });
    expect(result.values).toHaveLength(singleThreaded.length);
  });
});

describe('an engine already started', () => {
  it('keeps its thread count and says why a new count is not used', async () => {
    const info = await initEngine({ engine: 'wasm', threads: 3, env: {} });
    expect(info.threads.count).toBe(1);
    expect(info.threads.reason).toContain(
      '3 asked for now (3 requested by option "threads"), but the count is fixed',
    );
  });
});

describe('option training', () => {
  it('registers the filter gradient wasm lacks, equal to the cpu backend’s', async () => {
    const info = await initEngine({ engine: 'wasm', training: true });
    expect(info.training).toBe(true);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    const before = tf.memory().numTensors;
    const filterGradient = (): Float32Array => {
      const gradient = tf.tidy(() => {
        const x = tf.randomUniform([2, 9, 9, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
        const k = tf.randomUniform([3, 3, 3, 4], -1, 1, 'float32', 4) as tf.Tensor4D;
        const loss = (w: tf.Tensor) =>
          tf
            .conv2d(x, w as tf.Tensor4D, 2, 'same')
            .square()
            .sum();
        return tf.grad(loss)(k);
      });
      const values = gradient.dataSync() as Float32Array;
      gradient.dispose();
      return values;
    };
    const onWasm = filterGradient();
    expect(tf.memory().numTensors).toBe(before);
    await tf.setBackend('cpu');
    const onCpu = filterGradient();
    await tf.setBackend('wasm');
    const worst = Math.max(...Array.from(onWasm, (v, i) => Math.abs(v - onCpu[i])));
    expect(worst).toBeLessThan(1e-3);
  });
});
