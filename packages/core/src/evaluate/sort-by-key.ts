/** Bits of a key sorted per pass: 256 counters, four passes over 32-bit keys. */
const DIGIT_BITS = 8;
const DIGITS = 1 << DIGIT_BITS;

/**
 * Sorts `items` by `keys` (one unsigned 32-bit key per item, ascending), in place and stably:
 * items of equal keys keep their order. Both arrays are permuted together; `spare` holds scratch of
 * the same lengths, reused across calls.
 *
 * A least-significant-digit radix sort: four counting passes, no comparisons. Why not
 * `Array.prototype.sort` with a comparator: ranking the pixels of a compareMethods slice that way
 * (32 MNIST images, two relevance maps each) took about a tenth of the slice in a worker's CPU
 * profile, and more while the JIT was cold (its first slices).
 */
export function sortByKey(
  items: Int32Array,
  keys: Uint32Array,
  spare: { readonly items: Int32Array; readonly keys: Uint32Array },
): void {
  const counts = new Uint32Array(DIGITS);
  let fromItems = items;
  let fromKeys = keys;
  let toItems = spare.items;
  let toKeys = spare.keys;
  const n = items.length;
  for (let shift = 0; shift < 32; shift += DIGIT_BITS) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(fromKeys[i] >>> shift) & (DIGITS - 1)]++;
    let start = 0;
    for (let d = 0; d < DIGITS; d++) {
      const count = counts[d];
      counts[d] = start;
      start += count;
    }
    for (let i = 0; i < n; i++) {
      const key = fromKeys[i];
      const at = counts[(key >>> shift) & (DIGITS - 1)]++;
      toKeys[at] = key;
      toItems[at] = fromItems[i];
    }
    [fromItems, toItems] = [toItems, fromItems];
    [fromKeys, toKeys] = [toKeys, fromKeys];
  }
  // Four passes: the sorted order is back in `items` and `keys`.
}
