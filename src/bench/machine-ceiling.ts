/**
 * What this machine's cores give each other, measured beside the engine's own speed-ups: the
 * throughput N threads reach over one on two loops that share nothing, one streaming through memory
 * (two 64 MB arrays, far larger than any cache) and one computing in registers. A speed-up of the
 * engine is bounded by these: on this project's 2-vCPU VMs the streaming loop gained about 1.4×
 * from a second thread while the compute loop gained 2× (docs/performance.md, "Eleventh round"),
 * so work that streams activations through memory cannot reach 2× there whatever its design.
 */
import { Worker } from 'worker_threads';
import { median } from './timing';

/** The two loops. */
export type CeilingLoop = 'memory-streaming' | 'compute';

/** One loop's result: median makespans of one and of N threads, and N's throughput gain. */
export interface CeilingMeasurement {
  readonly loop: CeilingLoop;
  readonly threads: number;
  readonly oneThreadMs: number;
  readonly allThreadsMs: number;
  /** `threads · oneThreadMs / allThreadsMs`: the same work per thread, done by all at once. */
  readonly speedup: number;
}

/**
 * A worker's code (plain JavaScript, so that no loader is involved): it prepares its arrays, says
 * it is ready, runs its loop when told to and sends back the milliseconds the loop took.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const elements = 16 * 1024 * 1024;
let input, output;
if (workerData.loop === 'memory-streaming') {
  // Filled before the start, so that no page is touched for the first time while timed.
  input = new Float32Array(elements).fill(1);
  output = new Float32Array(elements);
}
parentPort.postMessage('ready');
parentPort.once('message', () => {
  const start = performance.now();
  let check = 0;
  if (workerData.loop === 'memory-streaming') {
    // Copies (memmove) stream at the memory's pace; a JavaScript loop over the arrays would be
    // bound by its own instructions instead.
    for (let pass = 0; pass < 40; pass++) {
      output.set(input);
      input.set(output);
    }
    check = output[elements - 1];
  } else {
    let x = 1;
    for (let i = 0; i < 150000000; i++) x = x * 1.0000001 + 0.0000001;
    check = x;
  }
  parentPort.postMessage({ ms: performance.now() - start, check });
});
`;

/** Runs `threads` workers of `loop` at once (started together once all are ready); the makespan. */
async function makespan(loop: CeilingLoop, threads: number): Promise<number> {
  const workers = Array.from(
    { length: threads },
    () => new Worker(WORKER_SOURCE, { eval: true, workerData: { loop } }),
  );
  try {
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
    const done = workers.map(
      (w) =>
        new Promise<number>((resolve, reject) => {
          w.once('message', (reply: { ms: number }) => resolve(reply.ms));
          w.once('error', reject);
        }),
    );
    for (const w of workers) w.postMessage('go');
    return Math.max(...(await Promise.all(done)));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * Both loops on one thread and on `threads` threads, `rounds` times in turn (so that both see the
 * same load), as medians.
 */
export async function measureMachineCeiling(
  threads: number,
  rounds: number,
): Promise<CeilingMeasurement[]> {
  const loops: CeilingLoop[] = ['memory-streaming', 'compute'];
  const times = new Map(loops.map((loop) => [loop, { one: [] as number[], all: [] as number[] }]));
  for (let round = 0; round < rounds; round++) {
    for (const loop of loops) {
      const entry = times.get(loop)!;
      entry.one.push(await makespan(loop, 1));
      entry.all.push(await makespan(loop, threads));
    }
  }
  return loops.map((loop) => {
    const { one, all } = times.get(loop)!;
    const oneThreadMs = median(one);
    const allThreadsMs = median(all);
    return {
      loop,
      threads,
      oneThreadMs: Math.round(oneThreadMs),
      allThreadsMs: Math.round(allThreadsMs),
      speedup: Math.round(((threads * oneThreadMs) / allThreadsMs) * 100) / 100,
    };
  });
}
