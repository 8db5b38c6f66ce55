/** What every benchmark and fuzz command reads from its command line and its machine. */
import * as tf from '@tensorflow/tfjs';
import * as os from 'os';

/** The value after `name` on the command line (`--runs 5` → `'5'`), or `undefined`. */
export function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/**
 * The whole number ≥ 1 after `name`, or `fallback` when it is not given. Anything else ends the
 * command with a message: `--runs 0` or `--runs abc` would otherwise give medians of nothing,
 * printed as `null`.
 */
export function countArgument(name: string, fallback: number): number {
  const given = argument(name);
  if (given === undefined) return fallback;
  const value = Number(given);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name} takes a whole number ≥ 1, not ${JSON.stringify(given)}.`);
    process.exit(2);
  }
  return value;
}

/** Bytes in whole MiB (the unit every memory figure of the benchmarks is given in). */
export const megabytes = (bytes: number): number => Math.round(bytes / 2 ** 20);

/**
 * The wasm engine's heap size in bytes, or `undefined` on another backend (its heap is the one
 * `tf.memory()` does not see, and it never shrinks).
 */
export function wasmHeapBytes(): number | undefined {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } };
  return backend.wasm?.HEAPU8.length;
}

/** The 1-minute load average, rounded to hundredths: recorded with every measurement. */
export function loadAverage(): number {
  return Math.round(os.loadavg()[0] * 100) / 100;
}
