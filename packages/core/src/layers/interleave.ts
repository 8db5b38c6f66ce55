import * as tf from '@tensorflow/tfjs';

/**
 * Interleaves equally shaped `parts` along `axis`: position `k·i + j` of the result is position `i`
 * of `parts[j]` (k = number of parts). How phases computed at a coarser resolution (Winograd's
 * output blocks, a strided transpose's residue classes) go back onto one grid.
 */
export function interleave<T extends tf.Tensor>(parts: readonly T[], axis: number): T {
  if (parts.length === 1) return parts[0];
  const shape = [...parts[0].shape];
  shape[axis] *= parts.length;
  // (in a tidy: the expanded views share their parts' data and would keep it alive otherwise)
  return tf.tidy(
    () =>
      tf
        .concat(
          parts.map((p) => p.expandDims(axis + 1)),
          axis + 1,
        )
        .reshape(shape) as T,
  );
}
