import { RuleParameterError } from '../errors';
import { classicalRule, type TermGroup } from './rule-builder';
import type { Rule } from './rule';
import { DEFAULT_STABILISER } from './stabilise';
import { withRecipe } from './recipe';

/**
 * The positive and negative groups of LRP-αβ for inputs of either sign, as zennit 0.5 forms them:
 * `(a w)⁺ = a⁺w⁺ + a⁻w⁻` over `Σ (a w)⁺ + b⁺`, and `(a w)⁻ = a⁺w⁻ + a⁻w⁺` over `Σ (a w)⁻ + b⁻`
 * (each bias part counted once; `withBias = false` drops it). β = 0 leaves the negative group out.
 */
export function alphaBetaGroups(alpha: number, beta: number, withBias: boolean): TermGroup[] {
  const positive: TermGroup = {
    factor: alpha,
    terms: [
      { input: 'positive', params: withBias ? 'w+ b+' : 'w+' },
      { input: 'negative', params: 'w-' },
    ],
  };
  const negative: TermGroup = {
    factor: -beta,
    terms: [
      { input: 'positive', params: withBias ? 'w- b-' : 'w-' },
      { input: 'negative', params: 'w+' },
    ],
  };
  return beta === 0 ? [positive] : [positive, negative];
}

/**
 * LRP-αβ (α − β = 1, zennit's `AlphaBeta`): `R_j = Σ_k (α·(a_j w_jk)⁺/(Σ_j(a_j w_jk)⁺ + b_k⁺) −
 * β·(a_j w_jk)⁻/(Σ_j(a_j w_jk)⁻ + b_k⁻)) R_k`, both denominators stabilised with 10⁻⁶.
 * `ignoreBias` drops the bias parts.
 */
export function alphaBeta(
  alpha: number,
  beta: number,
  options: { readonly ignoreBias?: boolean } = {},
): Rule {
  if (
    !Number.isFinite(alpha) ||
    !Number.isFinite(beta) ||
    beta < 0 ||
    Math.abs(alpha - beta - 1) > 1e-9
  ) {
    throw new RuleParameterError(
      `LRP-αβ needs α − β = 1 with β ≥ 0 (got α = ${alpha}, β = ${beta}); e.g. alphaBeta(2, 1) or alphaBeta(1, 0).`,
    );
  }
  const withBias = !options.ignoreBias;
  const rule = classicalRule({
    name: `alpha${alpha}beta${beta}`,
    description: `LRP-α${alpha}β${beta}${withBias ? '' : ' (bias ignored)'}`,
    groups: alphaBetaGroups(alpha, beta, withBias),
    stabiliser: DEFAULT_STABILISER,
  });
  return withRecipe(rule, 'alphaBeta', [alpha, beta, options]);
}
