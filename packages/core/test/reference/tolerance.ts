/**
 * Comparing relevance maps: a combined tolerance relative to the largest magnitude of the expected
 * map, |got − expected| ≤ rel·max|expected| + abs, so that float32 (engine) vs float64 (reference)
 * rounding in tiny entries does not count, while any real difference does.
 */

/** Result of one comparison, with what a failure message needs. */
export interface Closeness {
  readonly ok: boolean;
  readonly maxError: number;
  readonly allowed: number;
  readonly worstIndex: number;
  readonly got: number;
  readonly expected: number;
  readonly scale: number;
}

/** Compares two arrays elementwise under the combined tolerance. NaN/Inf must match exactly. */
export function closeness(
  got: ArrayLike<number>,
  expected: ArrayLike<number>,
  rel = 1e-4,
  abs = 1e-7,
): Closeness {
  if (got.length !== expected.length) {
    return {
      ok: false,
      maxError: Infinity,
      allowed: 0,
      worstIndex: -1,
      got: got.length,
      expected: expected.length,
      scale: 0,
    };
  }
  let scale = 0;
  for (let i = 0; i < expected.length; i++)
    if (Number.isFinite(expected[i])) scale = Math.max(scale, Math.abs(expected[i]));
  const allowed = rel * scale + abs;
  let maxError = 0;
  let worstIndex = -1;
  for (let i = 0; i < got.length; i++) {
    const g = got[i];
    const e = expected[i];
    let err: number;
    if (!Number.isFinite(e) || !Number.isFinite(g))
      err = Object.is(g, e) || (Number.isNaN(g) && Number.isNaN(e)) ? 0 : Infinity;
    else err = Math.abs(g - e);
    if (err > maxError || worstIndex < 0) {
      maxError = Math.max(maxError, err);
      worstIndex = i;
    }
  }
  return {
    ok: maxError <= allowed,
    maxError,
    allowed,
    worstIndex,
    got: worstIndex >= 0 ? got[worstIndex] : NaN,
    expected: worstIndex >= 0 ? expected[worstIndex] : NaN,
    scale,
  };
}

/** A one-line description of a comparison for assertion messages. */
export function describeCloseness(label: string, c: Closeness): string {
  return (
    `${label}: max |got − expected| = ${c.maxError.toExponential(3)} (allowed ${c.allowed.toExponential(3)}, ` +
    `scale max|expected| = ${c.scale.toExponential(3)}) worst at flat index ${c.worstIndex}: ` +
    `got ${c.got}, expected ${c.expected}`
  );
}

/** Throws (with the description) unless close; jest reports the message. */
export function expectClose(
  label: string,
  got: ArrayLike<number>,
  expected: ArrayLike<number>,
  rel = 1e-4,
  abs = 1e-7,
): void {
  const c = closeness(got, expected, rel, abs);
  if (!c.ok) throw new Error(describeCloseness(label, c));
}

/**
 * Where the reference itself is non-finite (LRP-0 dividing by an exact zero), how far NaN spreads
 * is an implementation detail (0·NaN through a transposed convolution or a routing mask). Then the
 * engine must be non-finite wherever the reference is, and close wherever both are finite.
 */
export function closenessAllowingNaNSpread(
  got: ArrayLike<number>,
  expected: ArrayLike<number>,
  rel = 1e-4,
  abs = 1e-7,
): Closeness & { readonly missingNonFinite: number } {
  const both: number[] = [];
  let missingNonFinite = 0;
  for (let i = 0; i < expected.length; i++) {
    if (!Number.isFinite(expected[i])) {
      if (Number.isFinite(got[i])) missingNonFinite++;
    } else if (Number.isFinite(got[i])) both.push(i);
  }
  const c = closeness(
    both.map((i) => got[i]),
    both.map((i) => expected[i]),
    rel,
    abs,
  );
  return { ...c, ok: c.ok && missingNonFinite === 0, missingNonFinite };
}
