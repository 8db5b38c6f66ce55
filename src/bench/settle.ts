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
 * What the watched threads are doing: each one's CPU time so far (by `pid/tid`), and whether any
 * is running or waiting for a core (state `R`). CPU time alone cannot tell a spinning thread from
 * an idle one when other work keeps it off the cores (a test run's other workers): it then spends
 * little time, yet runs as soon as it gets a core.
 */
interface ThreadsState {
  readonly cpuNs: Map<string, number>;
  readonly runnable: boolean;
}

/** Linux's clock tick, the unit of `stat`'s CPU times (`getconf CLK_TCK`: 100 on x86-64). */
const TICK_NS = 10_000_000;

/**
 * Adds the threads of process `pid`, without `skipThread` (the thread that polls, which runs
 * while it reads), to `state`; false where `/proc` does not tell (not Linux, or the process is
 * gone).
 */
function addThreads(
  pid: number,
  skipThread: number | undefined,
  state: { cpuNs: Map<string, number>; runnable: boolean },
): boolean {
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return false;
  }
  for (const task of tasks) {
    if (Number(task) === skipThread) continue;
    const dir = `/proc/${pid}/task/${task}`;
    let stat: string;
    try {
      stat = fs.readFileSync(`${dir}/stat`, 'utf8');
    } catch {
      continue; // The thread ended between the listing and the read: it no longer runs.
    }
    // `tid (name) S …`: the fields after the name, which may itself hold spaces or parentheses;
    // utime and stime are the 12th and 13th of them.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'R') state.runnable = true;
    let cpuNs = (Number(fields[11]) + Number(fields[12])) * TICK_NS;
    try {
      // Nanoseconds where the kernel keeps scheduler statistics; the ticks above otherwise.
      cpuNs = Number(fs.readFileSync(`${dir}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // No schedstat: ticks.
    }
    state.cpuNs.set(`${pid}/${task}`, cpuNs);
  }
  return true;
}

/**
 * Resolves once no thread of this process (other than this thread, which must be the main one)
 * or of `others` wants a core and together they spent less than half a millisecond in
 * {@link POLL_MS}, after at least {@link MIN_PAUSE_MS} and about {@link MAX_WAIT_MS} at most;
 * gives the milliseconds waited. Threads that end between two polls do not count. Without
 * `/proc`, a fixed 25 ms pause.
 */
export async function untilSettled(others: readonly number[]): Promise<number> {
  const started = performance.now();
  const sample = (): ThreadsState | null => {
    const state = { cpuNs: new Map<string, number>(), runnable: false };
    if (!addThreads(process.pid, process.pid, state)) return null;
    for (const pid of others) if (!addThreads(pid, undefined, state)) return null;
    return state;
  };
  const spentSince = (before: ThreadsState, now: ThreadsState): number => {
    let spent = 0;
    for (const [thread, cpuNs] of now.cpuNs) spent += cpuNs - (before.cpuNs.get(thread) ?? cpuNs);
    return spent;
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
    if (!current.runnable && spentSince(previous, current) < SETTLED_NS_PER_POLL) break;
    previous = current;
  }
  return performance.now() - started;
}
