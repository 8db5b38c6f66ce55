/**
 * The rules of ../../../../docs/rules.md applied literally to one linear map z = W a + b, in
 * float64 loops over the map's structural entries. Message from output k to input j, summed over k.
 *
 * Stabiliser convention (shared with the engine): LRP-0 divides raw; LRP-ε divides by z + ε·sign(z);
 * every other classical rule divides by d + 1e-6·sign(d); sign(0) = +1 throughout.
 */
import { applyMap, type LinearMap } from './linear-maps';

/** A rule of the reference. */
export type RefRule =
  | { readonly name: 'rlrp' }
  | { readonly name: 'lrp0' }
  | { readonly name: 'epsilon'; readonly epsilon: number }
  /** LRP-ε with ε = timesStd · (population) standard deviation of the layer's z, per sample. */
  | { readonly name: 'epsilonStd'; readonly timesStd: number }
  | { readonly name: 'gamma'; readonly gamma: number }
  | { readonly name: 'alphabeta'; readonly alpha: number; readonly beta: number }
  | { readonly name: 'zplus' }
  | {
      readonly name: 'zbox';
      readonly low: number | Float64Array;
      readonly high: number | Float64Array;
    }
  | { readonly name: 'wsquare' }
  | { readonly name: 'flat' };

/** The stabiliser of the classical rules other than LRP-0 and LRP-ε. */
export const STABILISER = 1e-6;

/** sign with sign(0) = +1. */
export const signPlus = (d: number): number => (d >= 0 ? 1 : -1);

/** d + 1e-6·sign(d). */
export const stabilise = (d: number): number => d + STABILISER * signPlus(d);

/** Population standard deviation of a layer's values. */
export function populationStd(v: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < v.length; i++) mean += v[i];
  mean /= v.length;
  let variance = 0;
  for (let i = 0; i < v.length; i++) variance += (v[i] - mean) ** 2;
  return Math.sqrt(variance / v.length);
}

/** Turns a data-dependent rule into a plain one for the layer whose pre-activation is `z`. */
export function resolveRule(rule: RefRule, z: ArrayLike<number>): RefRule {
  return rule.name === 'epsilonStd'
    ? { name: 'epsilon', epsilon: rule.timesStd * populationStd(z) }
    : rule;
}

/** The denominator a classical rule uses for a raw value d (also at Add). */
export function classicalDenominator(rule: RefRule, d: number): number {
  if (rule.name === 'epsilonStd')
    throw new Error('reference: resolve epsilonStd with resolveRule first');
  if (rule.name === 'lrp0') return d;
  if (rule.name === 'epsilon') return d + rule.epsilon * signPlus(d);
  return stabilise(d);
}

const plus = (v: number): number => (v > 0 ? v : 0);
const minus = (v: number): number => (v < 0 ? v : 0);
const boundAt = (b: number | Float64Array, j: number): number => (typeof b === 'number' ? b : b[j]);

/** Σ|v|. */
export function l1(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += Math.abs(v[i]);
  return s;
}

/**
 * How ill-conditioned one step is: the largest ratio Σ|terms| / |denominator| over the outputs that
 * carry relevance. A float32 implementation cannot be more accurate than about 2⁻²⁴ times the sum of
 * these over the layers (relative to the largest relevance), so the engine comparison widens its
 * tolerance only where this says float32 must lose digits.
 */
export interface Conditioning {
  worst: number;
}

function noteConditioning(stats: Conditioning | undefined, value: number): void {
  if (stats && !(value <= stats.worst)) stats.worst = value;
}

/**
 * Generic "contribution over its denominator" propagation: R_j = Σ_k q_jk / den(Σ_j q_jk + extra_k) · R_k.
 */
function ratioRule(
  map: LinearMap,
  rOut: Float64Array,
  contribution: (e: number) => number,
  extra: (k: number) => number,
  denominator: (d: number) => number,
  stats?: Conditioning,
): Float64Array {
  const n = map.entryRow.length;
  const q = new Float64Array(n);
  const total = Float64Array.from({ length: map.rows }, (_, k) => extra(k));
  const magnitude = total.map(Math.abs);
  for (let e = 0; e < n; e++) {
    q[e] = contribution(e);
    total[map.entryRow[e]] += q[e];
    magnitude[map.entryRow[e]] += Math.abs(q[e]);
  }
  const scaled = total.map((t, k) => rOut[k] / denominator(t));
  if (stats) {
    total.forEach((t, k) => {
      if (rOut[k] !== 0 && magnitude[k] > 0)
        noteConditioning(stats, magnitude[k] / Math.abs(denominator(t)));
    });
  }
  const rIn = new Float64Array(map.cols);
  for (let e = 0; e < n; e++) rIn[map.entryCol[e]] += q[e] * scaled[map.entryRow[e]];
  return rIn;
}

/**
 * Relevance of the input `a` of one linear map given the relevance `rOut` of its output z
 * (the activation has already passed relevance through unchanged).
 */
export function linearRelevance(
  rule: RefRule,
  map: LinearMap,
  a: Float64Array,
  rOut: Float64Array,
  stats?: Conditioning,
): Float64Array {
  const w = map.entryWeight;
  const col = map.entryCol;
  const aw = (e: number): number => a[col[e]] * w[e];
  switch (rule.name) {
    case 'rlrp': {
      // a ⊙ Wᵀ R: no bias, no denominator; then rescale to the L1 mass of R_out.
      const rIn = new Float64Array(map.cols);
      let magnitude = 0;
      for (let e = 0; e < w.length; e++) {
        const message = aw(e) * rOut[map.entryRow[e]];
        rIn[col[e]] += message;
        magnitude += Math.abs(message);
      }
      const massOut = l1(rOut);
      const massIn = l1(rIn);
      if (massIn > 0) noteConditioning(stats, magnitude / massIn);
      if (massOut === 0 || massIn === 0) return new Float64Array(map.cols);
      return rIn.map((v) => (v * massOut) / massIn);
    }
    case 'epsilonStd':
      return linearRelevance(resolveRule(rule, applyMap(map, a)), map, a, rOut, stats);
    case 'lrp0':
    case 'epsilon':
      return ratioRule(
        map,
        rOut,
        aw,
        (k) => map.bias[k],
        (d) => classicalDenominator(rule, d),
        stats,
      );
    case 'gamma': {
      const g = rule.gamma;
      return ratioRule(
        map,
        rOut,
        (e) => a[col[e]] * (w[e] + g * plus(w[e])),
        (k) => map.bias[k] + g * plus(map.bias[k]),
        stabilise,
        stats,
      );
    }
    case 'alphabeta': {
      const pos = ratioRule(
        map,
        rOut,
        (e) => plus(aw(e)),
        (k) => plus(map.bias[k]),
        stabilise,
        stats,
      );
      if (rule.beta === 0) return pos.map((v) => rule.alpha * v);
      const neg = ratioRule(
        map,
        rOut,
        (e) => minus(aw(e)),
        (k) => minus(map.bias[k]),
        stabilise,
        stats,
      );
      return pos.map((v, j) => rule.alpha * v - rule.beta * neg[j]);
    }
    case 'zplus':
      return ratioRule(
        map,
        rOut,
        (e) => plus(aw(e)),
        () => 0,
        stabilise,
        stats,
      );
    case 'zbox':
      return ratioRule(
        map,
        rOut,
        (e) =>
          aw(e) - boundAt(rule.low, col[e]) * plus(w[e]) - boundAt(rule.high, col[e]) * minus(w[e]),
        () => 0,
        stabilise,
        stats,
      );
    case 'wsquare':
      return ratioRule(
        map,
        rOut,
        (e) => w[e] * w[e],
        () => 0,
        stabilise,
        stats,
      );
    case 'flat':
      return ratioRule(
        map,
        rOut,
        () => 1,
        () => 0,
        stabilise,
        stats,
      );
  }
}
