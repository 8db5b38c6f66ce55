/** What every benchmark and fuzz command reads from its command line and its machine. */
import * as os from 'os';

/** The value after `name` on the command line (`--runs 5` → `'5'`), or `undefined`. */
export function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** The 1-minute load average, rounded to hundredths: recorded with every measurement. */
export function loadAverage(): number {
  return Math.round(os.loadavg()[0] * 100) / 100;
}
