/**
 * The rules of ../../../../docs/rules.md applied literally to one linear map z = W a + b, in
 * float64 loops over the map's structural entries. Message from output k to input j, summed over k.
 *
 * Stabiliser convention (zennit 0.5's, shared with the engine): LRP-0 divides raw; LRP-ε divides by
 * z + ε·sign(z); every other classical rule (and Norm) divides by d + 1e-6·sign(d); sign(0) = +1.
 */
import { applyMap, applyTransposed, type LinearMap } from './linear-maps';

/** A rule of the reference. */
export type RefRule =
  | { readonly name: 'rlrp' }
  | { readonly name: 'lrp0' }
  /** The bias in the denominator unless `bias === false` (iNNvestigate's `_IB` form). */
  | { readonly name: 'epsilon'; readonly epsilon: number; readonly bias?: boolean }
  /** LRP-ε with ε = timesStd · (population) standard deviation of the layer's z, per sample. */
  | { readonly name: 'epsilonStd'; readonly timesStd: number }
  /** Generalised (zennit ≥ 0.5) unless `classic`. */
  | { readonly name: 'gamma'; readonly gamma: number; readonly classic?: boolean }
  /** b⁺ / b⁻ in the positive / negative denominator unless `bias === false`. */
  | {
      readonly name: 'alphabeta';
      readonly alpha: number;
      readonly beta: number;
      readonly bias?: boolean;
    }
  /** With the positive bias in the denominator unless `bias === false`. */
  | { readonly name: 'zplus'; readonly bias?: boolean }
  | {
      readonly name: 'zbox';
      readonly low: number | Float64Array;
      readonly high: number | Float64Array;
    }
  /** With b² in the denominator unless `bias === false`. */
  | { readonly name: 'wsquare'; readonly bias?: boolean }
  | { readonly name: 'flat' }
  /** zennit's Norm: a_j w_jk / (z_k + 1e-6·sign(z_k)), the bias in z_k (pooling has none). */
  | { readonly name: 'norm' }
  /** No rule (zennit): the plain transposed map, R_in = Wᵀ R_out. */
  | { readonly name: 'gradient' };

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
        (k) => (rule.name === 'epsilon' && rule.bias === false ? 0 : map.bias[k]),
        (d) => classicalDenominator(rule, d),
        stats,
      );
    case 'gamma': {
      const g = rule.gamma;
      const boost = (v: number, part: (v: number) => number) => v + g * part(v);
      if (rule.classic) {
        return ratioRule(
          map,
          rOut,
          (e) => a[col[e]] * boost(w[e], plus),
          (k) => boost(map.bias[k], plus),
          stabilise,
          stats,
        );
      }
      // Generalised γ: outputs with z_k > 0 favour a⁺w⁺ and a⁻w⁻ (bias b + γb⁺), outputs with
      // z_k < 0 favour a⁺w⁻ and a⁻w⁺ (bias b + γb⁻); z_k = 0 passes nothing.
      const z = applyMap(map, a);
      const towards = (favoured: number) =>
        ratioRule(
          map,
          rOut.map((r, k) => (Math.sign(z[k]) === favoured ? r : 0)),
          (e) => {
            const x = a[col[e]];
            const agree = favoured > 0 ? plus : minus;
            const oppose = favoured > 0 ? minus : plus;
            return plus(x) * boost(w[e], agree) + minus(x) * boost(w[e], oppose);
          },
          (k) => boost(map.bias[k], favoured > 0 ? plus : minus),
          stabilise,
          stats,
        );
      const positive = towards(1);
      const negative = towards(-1);
      return positive.map((v, j) => v + negative[j]);
    }
    case 'alphabeta': {
      const pos = ratioRule(
        map,
        rOut,
        (e) => plus(aw(e)),
        (k) => (rule.bias === false ? 0 : plus(map.bias[k])),
        stabilise,
        stats,
      );
      if (rule.beta === 0) return pos.map((v) => rule.alpha * v);
      const neg = ratioRule(
        map,
        rOut,
        (e) => minus(aw(e)),
        (k) => (rule.bias === false ? 0 : minus(map.bias[k])),
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
        (k) => (rule.bias === false ? 0 : plus(map.bias[k])),
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
        (k) => (rule.bias === false ? 0 : map.bias[k] * map.bias[k]),
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
    case 'norm':
      return ratioRule(map, rOut, aw, (k) => map.bias[k], stabilise, stats);
    case 'gradient':
      return applyTransposed(map, rOut);
  }
}
