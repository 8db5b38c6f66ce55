/**
 * 8-bit quantisation of pictures over a value range, shared by the kernel (which quantises the
 * input it sends) and the views (which map it back). DOM-free and tfjs-free: the front-end
 * bundles import it.
 */

/** Values to bytes over `[min, max]`: `round(255 · (v − min) / (max − min))`. */
export function quantiseToBytes(
  values: ArrayLike<number>,
  range: readonly [number, number],
): Uint8Array {
  const span = range[1] - range[0] || 1;
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++)
    bytes[i] = Math.round(((values[i] - range[0]) / span) * 255);
  return bytes;
}

/** Bytes back to values over `[min, max]` (within half a step of the originals). */
export function bytesToValues(bytes: Uint8Array, range: readonly [number, number]): Float32Array {
  const span = range[1] - range[0];
  const values = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) values[i] = range[0] + (bytes[i] / 255) * span;
  return values;
}
