/**
 * Progress for long work, synchronous or not. cli-progress redraws from timers, which never fire
 * while the evaluation runs synchronously; so on a terminal the bar is redrawn synchronously
 * (SingleBar with synchronousUpdate), and in a log file (CI) a plain line is printed at most every
 * 10 s.
 */
import { Presets, SingleBar } from 'cli-progress';

/** A progress display for one task. */
export interface Progress {
  increment(stage: string): void;
  /** Sets the units done so far (work reported as a fraction rather than unit by unit). */
  update(done: number, stage: string): void;
  stop(): void;
}

const LOG_INTERVAL_MS = 10000;

/** Start a progress display of `total` units labelled `label`. */
export function startProgress(label: string, total: number): Progress {
  if (process.stdout.isTTY) {
    const bar = new SingleBar(
      {
        format: `${label} |{bar}| {value}/{total} | {stage}`,
        synchronousUpdate: true,
        hideCursor: true,
      },
      Presets.shades_classic,
    );
    bar.start(total, 0, { stage: '' });
    return {
      increment: (stage) => bar.increment(1, { stage }),
      update: (value, stage) => bar.update(value, { stage }),
      stop: () => bar.stop(),
    };
  }
  let done = 0;
  let lastLog = Date.now();
  const started = Date.now();
  console.log(`${label}: 0/${total}`);
  const log = (stage: string) => {
    if (Date.now() - lastLog >= LOG_INTERVAL_MS) {
      lastLog = Date.now();
      console.log(
        `${label}: ${done}/${total} (${stage}, ${Math.round((lastLog - started) / 1000)} s)`,
      );
    }
  };
  return {
    increment: (stage) => {
      done += 1;
      log(stage);
    },
    update: (value, stage) => {
      done = value;
      log(stage);
    },
    stop: () => console.log(`${label}: done (${Math.round((Date.now() - started) / 1000)} s)`),
  };
}
