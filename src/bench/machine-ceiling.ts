/**
 * What this machine's cores give each other, measured beside the engine's own speed-ups: the
 * throughput N threads reach over one on two loops that share nothing, one streaming through memory
 * (copies between two 64 MB arrays, far larger than any cache) and one computing in registers. On
 * this project's 2-vCPU VMs the streaming loop gained 1.56× from a second thread in one minute and
 * 1.96× in the next, the compute loop 1.85× and 1.97× (docs/performance.md, "Eleventh round"): the
 * memory a second core can use varies with what else the host runs. Read an engine speed-up
 * against the ceiling of its own run: one near a low streaming ceiling was held back by memory.
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
 * it is ready, runs its loop when told to and sends back when the loop started and ended, on the
 * clock all threads share (`performance.timeOrigin + performance.now()`).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const elements = 16 * 1024 * 1024;
let input, output;
if (workerData.loop === 'memory-streaming') {
  // Both written before the start, so that no page is touched for the first time while timed
  // (a first touch costs far more than a copy here: docs/performance.md, "Eleventh round").
  input = new Float32Array(elements).fill(1);
  output = new Float32Array(elements).fill(0);
}
const now = () => performance.timeOrigin + performance.now();
parentPort.postMessage('ready');
parentPort.once('message', () => {
  const start = now();
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
    // One dependent chain of multiply-adds: bound by the core's latency, touching no memory.
    let x = 1;
    for (let i = 0; i < 150000000; i++) x = x * 1.0000001 + 0.0000001;
    check = x;
  }
  parentPort.postMessage({ start, end: now(), check });
});
`;

/** The next message of `worker`; rejects when it fails or exits first. */
function nextMessage<T>(worker: Worker): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onError = (error: Error) => settle(() => reject(error));
    const onExit = (code: number) =>
      settle(() => reject(new Error(`a ceiling worker exited (code ${code}) before answering`)));
    const onMessage = (message: T) => settle(() => resolve(message));
    const settle = (then: () => void) => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      then();
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}

/**
 * Runs `threads` workers of `loop` at once (told to start together once all are ready); the
 * makespan, from the first start to the last end.
 */
async function makespan(loop: CeilingLoop, threads: number): Promise<number> {
  const workers = Array.from(
    { length: threads },
    () => new Worker(WORKER_SOURCE, { eval: true, workerData: { loop } }),
  );
  try {
    await Promise.all(workers.map((w) => nextMessage<'ready'>(w)));
    const done = workers.map((w) => nextMessage<{ start: number; end: number }>(w));
    for (const w of workers) w.postMessage('go');
    const spans = await Promise.all(done);
    return Math.max(...spans.map((s) => s.end)) - Math.min(...spans.map((s) => s.start));
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
