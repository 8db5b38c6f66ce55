/**
 * Dataset throughput with the engine pool, one JSON line per measurement:
 *
 * 1. `ExplainPool.explain`: the same batch explained by a pool of 1 worker and one of N workers,
 *    run by run in turn (both see the same load), one line per pool size;
 * 2. `compareMethods`: the whole evaluation protocol (explanations, keep-top-k, deletion and
 *    insertion curves) on one image set, run by run in turn: in this thread with the whole process
 *    pinned to one core (`taskset -a -p`) and the engine on one thread (the one-core baseline;
 *    `--no-one-core` skips it), then unpinned on the engine `initEngine()` chooses, as in a
 *    notebook and `npm run reproduce` (native kernels on every core), with `workers: 1` (this
 *    thread) and `workers: N` (this thread and N − 1 workers); one line each. The N-worker runs
 *    use the pool compareMethods keeps between calls (started before the timed runs, as a second
 *    comparison on a model finds it); one more line times a run that starts its pool, as the
 *    first comparison on a model does.
 *    `speedup_vs_one_core` (on the unpinned lines) is issue #14's "1 → N cores".
 * 2b. `relevanceScoresOnWorkers`: the same set's maps under the same rules, without the metrics,
 *    measured the same way (`explain_ms` where the comparison's lines have `compare_ms`).
 *
 *   npm run bench:pool                                   MNIST CNN, batch 256, R-LRP, 1 vs 2 workers
 *   npm run bench:pool -- --workers 4 --batch 512 --runs 9 --compare-images 512 --compare-runs 5
 *   npm run bench:pool -- --quick                        one small run of each, to check it works
 *
 * 3. the machine's own ceiling (`machine-ceiling.ts`): what N threads gain over one on a loop that
 *    streams through memory and on one that computes in registers, sharing nothing, in this run;
 *    a speed-up above near a low streaming ceiling was held back by the memory the cores share.
 *
 * `speedup` is the 1-worker median over the N-worker median; `load_1min` the machine's load average
 * when the runs started and ended. The lines of 2 and 2b add `cpu_ms`, the CPU time of the whole
 * process (this thread and the workers), and the N-worker lines `cpu_bound_speedup` = N · cpu(one
 * core) / cpu(N): the speed-up an idle machine would give if the slices took equally long — an
 * upper estimate that, unlike the wall-clock speed-up, other jobs on the machine hardly change (it
 * shows the workers' extra work: start-up, copies). Without the one-core run, cpu(1) stands in.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { countArgument, loadAverage } from './command-line';
import { performance } from 'perf_hooks';
import {
  closeComparisonWorkers,
  compareMethods,
  ExplainPool,
  initEngine,
  loadModelFromDir,
  readComputed,
  relevanceScoresOnWorkers,
  type ExplanationMethod,
} from '@rlrp/core';
import { measureMachineCeiling } from './machine-ceiling';
import { median, medians, timedAsync, type Timing } from './timing';

const MODEL = 'mnist-cnn-shipped';
/** Two named rules (explained by every thread on its slices) of the reproduce table. */
const METHODS: readonly ExplanationMethod[] = [
  { name: 'rlrp', rule: 'rlrp' },
  { name: 'EpsilonPlusFlat', rule: 'EpsilonPlusFlat' },
];

/** Deletion and insertion steps: the reproduce default. */
const STEPS = 16;

const quick = process.argv.includes('--quick');
/** `--no-one-core`: skip the pinned one-core baseline (one run fewer per round). */
const skipOneCore = process.argv.includes('--no-one-core');
const workers = countArgument('--workers', os.availableParallelism());

/** `Math.round` to `digits` decimals. */
const rounded = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

async function benchExplainPool(model: tf.LayersModel): Promise<void> {
  const batch = countArgument('--batch', quick ? 64 : 256);
  const runs = countArgument('--runs', quick ? 1 : 7);
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
        bench: 'ExplainPool.explain',
        model: MODEL,
        rule: 'rlrp',
        batch,
        workers: pool.size,
        explain_ms: rounded(ms, 1),
        images_per_s: Math.round((batch / ms) * 1000),
        speedup: rounded(single / ms, 2),
        runs,
        load_1min: [loadBefore, loadAverage()],
      }),
    );
    await pool.close();
  }
  input.dispose();
}

/** The comparison every compareMethods measurement runs: the same images, labels and methods. */
function comparisonSet(model: tf.LayersModel, samples: number) {
  const images = tf.randomUniform([samples, 28, 28, 1], 0, 1, 'float32', 43) as tf.Tensor4D;
  const labels = Array.from(readComputed(() => (model.predict(images) as tf.Tensor).argMax(1)));
  return { images, labels };
}

/**
 * Pools started so far, counted around `ExplainPool.launch`: a line says whether its runs found
 * the pool compareMethods keeps (it closes after a minute unused, which long runs between two
 * N-worker runs can pass).
 */
let poolsStarted = 0;
const launchPool = ExplainPool.launch.bind(ExplainPool);
ExplainPool.launch = (...args) => {
  poolsStarted++;
  return launchPool(...args);
};

/** A dataset workload timed on one core and on every core, one line per way it ran. */
interface DatasetWorkload {
  /** The `bench` field of its lines. */
  readonly bench: string;
  /** The field its median wall time goes in. */
  readonly msField: string;
  /** What else its lines say about it. */
  readonly details: Readonly<Record<string, unknown>>;
  /** Times one run of the whole set with `count` workers (1: this thread). */
  time(
    model: tf.LayersModel,
    set: { images: tf.Tensor4D; labels: number[] },
    count: number,
  ): Promise<Timing>;
}

/** `compareMethods`: the evaluation protocol on the set. */
const COMPARISON: DatasetWorkload = {
  bench: 'compareMethods',
  msField: 'compare_ms',
  details: { methods: METHODS.map((m) => m.name), steps: STEPS },
  time: (model, set, count) =>
    timedAsync(async () => {
      const comparison = await compareMethods({
        model,
        ...set,
        methods: METHODS,
        steps: STEPS,
        workers: count,
      });
      if (comparison.methods.length !== METHODS.length) throw new Error('methods missing');
    }),
};

/** `relevanceScoresOnWorkers`: the set's maps under the same rules, without the metrics. */
const MAPS: DatasetWorkload = {
  bench: 'relevanceScoresOnWorkers',
  msField: 'explain_ms',
  details: { rules: METHODS.map((m) => m.name) },
  time: (model, set, count) =>
    timedAsync(async () => {
      const rules = METHODS.map((m) => m.rule);
      const maps = await relevanceScoresOnWorkers(model, set.images, { rules, workers: count });
      if (maps.length !== rules.length) throw new Error('maps missing');
    }),
};

/**
 * Runs `work` with every thread of this process pinned to one core (`taskset -a -p`), then restores
 * the affinity it had: the one-core baseline, run by this very process. (A child process started
 * from here took 44–50 s for the 2048 images it compared in 34–37 s started on its own, which
 * would flatter the speed-up; the cause was not found.) Gives the work's result, or why it could not
 * be pinned.
 */
async function onOneCore<T>(work: () => Promise<T>): Promise<{ value: T } | { reason: string }> {
  const pid = String(process.pid);
  const taskset = (...args: string[]) => spawnSync('taskset', args, { encoding: 'utf8' });
  const current = taskset('-p', pid);
  if (current.error) return { reason: `taskset could not run (${current.error.message})` };
  const mask = /:\s*([0-9a-f]+)\s*$/i.exec(current.stdout.trim())?.[1];
  if (current.status !== 0 || !mask) {
    return { reason: `taskset -p answered ${JSON.stringify(current.stdout)}` };
  }
  // The lowest core this process may use (core 0 may be outside a cpuset).
  const all = BigInt(`0x${mask}`);
  const lowest = (all & -all).toString(16);
  const restore = () => {
    const restored = taskset('-a', '-p', mask, pid);
    // Left pinned, the "every core" runs that follow would quietly run on one.
    if (restored.status !== 0) {
      throw new Error(`could not restore this process's CPU affinity: ${restored.stderr.trim()}`);
    }
  };
  const pinned = taskset('-a', '-p', lowest, pid);
  if (pinned.status !== 0) {
    restore(); // `-a` pins thread by thread: some may be pinned already
    return { reason: `taskset -a -p ${lowest} failed: ${pinned.stderr.trim()}` };
  }
  try {
    return { value: await work() };
  } finally {
    restore();
  }
}

async function benchDatasetWorkload(
  model: tf.LayersModel,
  workload: DatasetWorkload,
): Promise<void> {
  const timeRun = (set: { images: tf.Tensor4D; labels: number[] }, count: number) =>
    workload.time(model, set, count);
  const samples = countArgument('--compare-images', quick ? 128 : 512);
  const runs = countArgument('--compare-runs', quick ? 1 : 3);
  // Before the first timed run: this thread's JIT warmed, and the pool that compareMethods keeps
  // between calls started (the set gives every thread a slice, 64 images each: slices are made
  // of whole batches of 64 for the comparison; the worker count of the timed runs).
  const warm = comparisonSet(model, 64 * workers);
  await timeRun(warm, 1);
  // Convolution plans are made per thread count: the one-core runs' too.
  if (!skipOneCore) await onOneEngineThread(() => timeRun(warm, 1));
  await timeRun(warm, workers);
  warm.images.dispose();
  const set = comparisonSet(model, samples);
  const counts = [1, workers];
  const timings: Timing[][] = counts.map(() => []);
  const oneCore: Timing[] = [];
  let noOneCore: string | undefined;
  const runsStartingPool = counts.map(() => 0);
  const loadBefore = loadAverage();
  // Run by run in turn, so that every measurement sees the same load: one core, then this
  // process on every core with 1 worker (this thread) and with N workers.
  for (let run = 0; run < runs; run++) {
    if (noOneCore === undefined && !skipOneCore) {
      // Pinned inside: initEngine() counts the cores this process may use.
      const timing = await onOneEngineThread(() => onOneCore(() => timeRun(set, 1)));
      if ('reason' in timing) noOneCore = timing.reason;
      else oneCore.push(timing.value);
    }
    for (const [i, count] of counts.entries()) {
      const before = poolsStarted;
      timings[i].push(await timeRun(set, count));
      if (poolsStarted > before) runsStartingPool[i]++;
    }
  }
  const common = {
    bench: workload.bench,
    model: MODEL,
    ...workload.details,
    images: samples,
    runs,
  };
  const single = medians(timings[0]);
  const baseline = oneCore.length > 0 ? medians(oneCore) : undefined;
  const oneThreadCpu = (baseline ?? single).cpu;
  if (baseline) {
    console.log(
      JSON.stringify({
        ...common,
        cores: 1,
        workers: 1,
        [workload.msField]: Math.round(baseline.wall),
        images_per_s: rounded((samples / baseline.wall) * 1000, 1),
        cpu_ms: Math.round(baseline.cpu),
        runs_measured: oneCore.length,
        note: 'this thread, every thread of the process pinned to one core and the engine on one thread: the one-core baseline',
      }),
    );
  }
  if (noOneCore !== undefined) {
    console.log(JSON.stringify({ ...common, cores: 1, not_pinned: noOneCore }));
  }
  // Once more with the kept pool closed first: what the first request on a model costs.
  await closeComparisonWorkers();
  const cold = await timeRun(set, workers);
  for (const [i, count] of counts.entries()) {
    const { wall: ms, cpu } = medians(timings[i]);
    console.log(
      JSON.stringify({
        ...common,
        cores: os.availableParallelism(),
        workers: count,
        [workload.msField]: Math.round(ms),
        images_per_s: rounded((samples / ms) * 1000, 1),
        speedup: rounded(single.wall / ms, 2),
        ...(baseline && { speedup_vs_one_core: rounded(baseline.wall / ms, 2) }),
        cpu_ms: Math.round(cpu),
        ...(count > 1 && {
          cpu_bound_speedup: rounded((count * oneThreadCpu) / cpu, 2),
          pool:
            runsStartingPool[i] === 0
              ? 'kept from the previous request'
              : `started in ${runsStartingPool[i]} of ${runs} runs (the kept pool had closed)`,
        }),
        load_1min: [loadBefore, loadAverage()],
      }),
    );
  }
  console.log(
    JSON.stringify({
      ...common,
      runs: 1,
      cores: os.availableParallelism(),
      workers,
      [workload.msField]: Math.round(cold.wall),
      images_per_s: rounded((samples / cold.wall) * 1000, 1),
      speedup: rounded(single.wall / cold.wall, 2),
      ...(baseline && { speedup_vs_one_core: rounded(baseline.wall / cold.wall, 2) }),
      cpu_ms: Math.round(cold.cpu),
      pool: 'started in this run (the first request on a model)',
      load_1min: [loadBefore, loadAverage()],
    }),
  );
  set.images.dispose();
}

/**
 * Runs `work` with the engine on one thread (the native kernels' too), then back on the engine
 * `initEngine()` chooses: a one-core machine's engine, for the pinned baseline (two native threads
 * on one core would only wait for each other).
 */
async function onOneEngineThread<T>(work: () => Promise<T>): Promise<T> {
  await initEngine({ threads: 1 });
  try {
    return await work();
  } finally {
    await initEngine();
  }
}

async function main(): Promise<void> {
  // The engine a notebook and `npm run reproduce` start: with the native kernels, every core for
  // this thread's convolutions (compareMethods caps them at one beside its workers).
  await initEngine();
  const model = await loadModelFromDir(path.resolve(__dirname, '..', '..', 'models', 'mnist-cnn'));
  await benchExplainPool(model);
  await benchDatasetWorkload(model, COMPARISON);
  await benchDatasetWorkload(model, MAPS);
  model.dispose();
  await benchMachineCeiling();
}

async function benchMachineCeiling(): Promise<void> {
  const loadBefore = loadAverage();
  for (const measured of await measureMachineCeiling(workers, quick ? 1 : 3)) {
    console.log(
      JSON.stringify({
        bench: 'machine-ceiling',
        loop: measured.loop,
        threads: measured.threads,
        one_thread_ms: measured.oneThreadMs,
        all_threads_ms: measured.allThreadsMs,
        speedup: measured.speedup,
        note: 'the same loop on every thread at once, sharing nothing: what the cores give each other in this run',
        load_1min: [loadBefore, loadAverage()],
      }),
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
