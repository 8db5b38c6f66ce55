/**
 * Peak memory of one-shot VGG16 explanations (224², batch 1, seeded random weights): every run is a
 * fresh process (the wasm heap never shrinks, so a process's peak is the figure), which builds the
 * model and explains the same image three times (without the native kernels, the second explanation
 * adds Winograd's matrices).
 *
 *   npm run bench:memory                              LRP-ε, R-LRP, EpsilonPlusFlat, one run each
 *   npm run bench:memory -- --rules epsilon --runs 3  one rule, three processes
 *   npm run bench:memory -- --threads 2               the engine's threads (default 1): the native
 *                                                     kernels', or wasm's when they are off
 *
 * One JSON object per process: `peak_rss_mb` (the process's maximum resident set),
 * `wasm_heap_mb` after each explanation, `explain_ms` of each and `load_1min` at start and end.
 * No model.predict runs: its own packed copy of the Dense kernels is the caller's, not the engine's.
 */
import { argument, countArgument, loadAverage, megabytes, wasmHeapBytes } from './command-line';
import { execFileSync } from 'child_process';
import * as tf from '@tensorflow/tfjs';
import { explain, initEngine, vgg16, type RuleChoice } from '@rlrp/core';
import { timed } from './timing';

/** One process's measurement: build, explain three times, report. */
async function child(rule: string, threads: number): Promise<void> {
  const loadBefore = loadAverage();
  const engine = await initEngine({ threads });
  const heap = () => {
    const bytes = wasmHeapBytes();
    return bytes === undefined ? null : megabytes(bytes);
  };
  const model = vgg16({ inputShape: [224, 224, 3], classes: 1000 });
  const input = tf.randomUniform([1, 224, 224, 3], 0, 1, 'float32', 42);
  const explainMs: number[] = [];
  const heapMb: (number | null)[] = [];
  for (let i = 0; i < 3; i++) {
    const { wall } = timed(() => {
      const e = explain(model, input, { rule: rule as RuleChoice });
      e.relevance.dataSync();
      e.dispose();
    });
    explainMs.push(Math.round(wall));
    heapMb.push(heap());
  }
  console.log(
    JSON.stringify({
      model: 'vgg16-random-224',
      rule,
      threads: engine.threads.count,
      native_threads: engine.nativeKernels.threads,
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      wasm_heap_mb: heapMb,
      explain_ms: explainMs,
      load_1min: [loadBefore, loadAverage()],
    }),
  );
}

function main(): void {
  const rules = (argument('--rules') ?? 'epsilon,rlrp,EpsilonPlusFlat').split(',');
  const runs = countArgument('--runs', 1);
  const threads = countArgument('--threads', 1);
  // Rules alternate within each round, so that every rule sees the same spread of machine load.
  for (let run = 0; run < runs; run++) {
    for (const rule of rules) {
      execFileSync(
        process.execPath,
        [...process.execArgv, __filename, '--child', rule, '--threads', String(threads)],
        { stdio: 'inherit' },
      );
    }
  }
}

const childRule = argument('--child');
if (childRule) {
  void child(childRule, countArgument('--threads', 1));
} else {
  main();
}
