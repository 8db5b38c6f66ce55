/** Timing shared by the benchmark commands: medians of wall-clock and process CPU time. */
import { performance } from 'perf_hooks';

/** The median (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Wall-clock and CPU milliseconds of one run (wasm runs on one thread, so CPU time is robust to other load). */
export interface Timing {
  readonly wall: number;
  readonly cpu: number;
}

/** A running stopwatch of wall-clock and process CPU time (every thread of the process). */
function startTiming(): () => Timing {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  return () => {
    const wall = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    return { wall, cpu: (cpu.user + cpu.system) / 1000 };
  };
}

/** Times `work` once. */
export function timed(work: () => void): Timing {
  const stop = startTiming();
  work();
  return stop();
}

/** Times asynchronous `work` once; the CPU time counts every thread of the process (workers too). */
export async function timedAsync(work: () => Promise<void>): Promise<Timing> {
  const stop = startTiming();
  await work();
  return stop();
}

/** Median wall-clock and CPU times of several runs. */
export function medians(timings: readonly Timing[]): Timing {
  return { wall: median(timings.map((t) => t.wall)), cpu: median(timings.map((t) => t.cpu)) };
}
