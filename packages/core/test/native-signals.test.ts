import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Signals during native matrix products. oneDNN 2.6's generated GEMM kernels point rsp at a heap
 * workspace while they run (oneDNN issue 4845), so a signal handled on that thread wrote its frame
 * into the heap: V8's CPU profiler (SIGPROF every 50 µs) aborted this process with "corrupted size
 * vs. prev_size" within a few thousand products, 3 runs out of 3, before the addon held signals
 * back during its calls. Jupyter's interrupt (SIGINT) reaches a kernel the same way.
 */

const repoRoot = path.resolve(__dirname, '../../..');

describe('native kernels under a stream of signals', () => {
  it('survive a CPU profiler sampling every 50 µs during thousands of matrix products', () => {
    const script = [
      "const tf = require('@tensorflow/tfjs');",
      "const { initEngine, currentEngine } = require('./packages/core/src/engine/index.ts');",
      '(async () => {',
      "  await initEngine({ engine: 'wasm', threads: 1 });",
      '  if (!currentEngine().nativeKernels.active) throw new Error("native kernels off");',
      '  const shapes = [[64, 1568, 128], [64, 128, 10], [256, 1568, 128], [32, 3136, 128]];',
      '  const pairs = shapes.map(([m, k, n]) => [tf.randomNormal([m, k]), tf.randomNormal([k, n])]);',
      '  for (let i = 0; i < 4000; i++) {',
      '    const [a, b] = pairs[i % pairs.length];',
      '    tf.matMul(a, b).dispose();',
      '  }',
      "  console.log('products done');",
      '})().catch((e) => { console.error(e); process.exit(1); });',
    ].join('\n');
    const profiles = fs.mkdtempSync(path.join(os.tmpdir(), 'rlrp-signals-'));
    try {
      const child = spawnSync(
        process.execPath,
        [
          '--cpu-prof',
          '--cpu-prof-interval',
          '50',
          '--cpu-prof-dir',
          profiles,
          '--import',
          'tsx',
          '-e',
          script,
        ],
        { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, RLRP_ENGINE: '' } },
      );
      expect(child.stderr).not.toMatch(/corrupted|malloc|free\(\)/);
      expect(child.signal).toBeNull();
      expect(child.status).toBe(0);
      expect(child.stdout).toContain('products done');
      // The profiler did sample: the signals were there.
      expect(fs.readdirSync(profiles).some((f) => f.endsWith('.cpuprofile'))).toBe(true);
    } finally {
      fs.rmSync(profiles, { recursive: true, force: true });
    }
  });
});
