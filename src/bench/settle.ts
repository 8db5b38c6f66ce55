/**
 * Waiting, between the benchmark's alternated runs, until neither side's threads still run.
 *
 * Both sides leave threads spinning after their work, and a run that starts meanwhile shares the
 * cores with them. How long differs by side, so a fixed pause is unfair to one of them. Measured
 * here (one-off scripts sampling `/proc/<pid>/task/<tid>/schedstat` every 10 ms after a ResNet-50
 * explanation): one PyTorch thread (libopenblas0-pthread's worker or libgomp's, spinning until it
 * sleeps) ran at 100% of a core for 70–80 ms after each LRP-ε explanation; this engine's threads
 * ran 6–8 ms. With the earlier fixed 25 ms pause this engine's runs started with a core taken for
 * about 50 ms: ResNet-50's LRP-ε took 133.8 ms interleaved against 109.4 ms with `--no-torch`.
 */
import * as fs from 'fs';
import { performance } from 'perf_hooks';

/** CPU time a thread group may still spend per poll and count as settled: nothing runs. */
const SETTLED_NS_PER_POLL = 500_000;
const POLL_MS = 5;
/** The least pause before a run. */
const MIN_PAUSE_MS = 10;
/** The whole pause where `/proc` cannot be read (not Linux): the earlier fixed pause. */
const FALLBACK_PAUSE_MS = 25;
/** Longer than any spin measured; a busy machine (other work) then just starts the run. */
const MAX_WAIT_MS = 1000;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * CPU nanoseconds spent so far by the threads of process `pid`, without `skipThread` (the thread
 * that polls, which runs while it reads); `null` where `/proc` does not tell (not Linux).
 */
function threadsCpuNs(pid: number, skipThread?: number): number | null {
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  let total = 0;
  for (const task of tasks) {
    if (Number(task) === skipThread) continue;
    try {
      total += Number(fs.readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read: it no longer runs.
    }
  }
  return total;
}

/**
 * Resolves once the threads of this process (other than this thread) and of `others` spent less
 * than half a millisecond in {@link POLL_MS}, after at least {@link MIN_PAUSE_MS} and at most
 * {@link MAX_WAIT_MS}; gives the milliseconds waited. Without `/proc`, a fixed 25 ms pause.
 */
export async function untilSettled(others: readonly number[]): Promise<number> {
  const started = performance.now();
  const sample = (): number | null => {
    let total = threadsCpuNs(process.pid, process.pid);
    for (const pid of others) {
      const spent = threadsCpuNs(pid);
      total = total === null || spent === null ? null : total + spent;
    }
    return total;
  };
  await pause(MIN_PAUSE_MS);
  let previous = sample();
  if (previous === null) {
    await pause(FALLBACK_PAUSE_MS - MIN_PAUSE_MS);
    return performance.now() - started;
  }
  while (performance.now() - started < MAX_WAIT_MS) {
    await pause(POLL_MS);
    const current = sample();
    if (current === null) break;
    if (current - previous < SETTLED_NS_PER_POLL) break;
    previous = current;
  }
  return performance.now() - started;
}
