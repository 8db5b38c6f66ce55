import { classicalRule } from './rule-builder';
import type { Rule } from './rule';
import { DEFAULT_STABILISER } from './stabilise';
import { withRecipe } from './recipe';

/** Options of {@link wSquare}. */
export interface WSquareOptions {
  /** Keep `b²` in the denominator as zennit 0.5 does (default `true`); `false` drops it. */
  readonly bias?: boolean;
}

/**
 * w² (zennit's `WSquare`): `R_i = Σ_j w_ij² / (Σ_i w_ij² + b_j²) · R_j` (the denominator is a ones
 * input through `w²`, so padded cells do not count). `wSquare({ bias: false })` drops `b_j²`.
 */
export function wSquare(options: WSquareOptions = {}): Rule {
  const withBias = options.bias ?? true;
  const rule = classicalRule({
    name: 'wsquare',
    description: withBias ? 'LRP-w²' : 'LRP-w² (bias ignored)',
    groups: [{ terms: [{ input: 'ones', params: withBias ? 'w² b²' : 'w²' }] }],
    stabiliser: DEFAULT_STABILISER,
  });
  return withRecipe(rule, 'wSquare', [options]);
}
