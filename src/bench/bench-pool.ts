/**
 * Dataset throughput with the engine pool: the same batch explained by an ExplainPool of 1 worker
 * and one of N workers, run by run in turn (both see the same load), one JSON line per pool size.
 *
 *   npm run bench:pool                                   MNIST CNN, batch 256, R-LRP, 1 vs 2 workers
 *   npm run bench:pool -- --workers 4 --batch 512 --runs 9
 *
 * `speedup` is the 1-worker median over the N-worker median; `load_1min` the machine's load average
 * when the runs started and ended.
 */
import * as tf from '@tensorflow/tfjs';
import * as os from 'os';
import * as path from 'path';
import { argument, loadAverage } from './command-line';
import { performance } from 'perf_hooks';
import { ExplainPool, initEngine, loadModelFromDir } from '@rlrp/core';
import { median } from './timing';

async function main(): Promise<void> {
  await initEngine({ threads: 1 });
  const workers = Number(argument('--workers') ?? os.availableParallelism());
  const batch = Number(argument('--batch') ?? 256);
  const runs = Number(argument('--runs') ?? 7);
  const model = await loadModelFromDir(path.resolve(__dirname, '..', '..', 'models', 'mnist-cnn'));
  const input = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 42);
  const pools = [
    await ExplainPool.start(model, { workers: 1 }),
    await ExplainPool.start(model, { workers }),
  ];
  const timings: number[][] = pools.map(() => []);
  const loadBefore = loadAverage();
  for (let run = -1; run < runs; run++) {
    for (const [i, pool] of pools.entries()) {
      const start = performance.now();
      const relevance = await pool.explain(input, { rule: 'rlrp' });
      const ms = performance.now() - start;
      relevance.dispose();
      if (run >= 0) timings[i].push(ms); // run -1 warms every engine up
    }
  }
  const single = median(timings[0]);
  for (const [i, pool] of pools.entries()) {
    const ms = median(timings[i]);
    console.log(
      JSON.stringify({
        model: 'mnist-cnn-shipped',
        rule: 'rlrp',
        batch,
        workers: pool.size,
        explain_ms: Math.round(ms * 10) / 10,
        images_per_s: Math.round((batch / ms) * 1000),
        speedup: Math.round((single / ms) * 100) / 100,
        runs,
        load_1min: [loadBefore, loadAverage()],
      }),
    );
    await pool.close();
  }
  input.dispose();
  model.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
