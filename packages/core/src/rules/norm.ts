import { DEFAULT_STABILISER } from './stabilise';
import { classicalRule } from './rule-builder';
import type { Rule } from './rule';

/**
 * zennit's `Norm`: relevance shared in proportion to each input's contribution,
 * `R_j = Σ_k a_j w_jk / (z_k + 10⁻⁶·sign(z_k)) · R_k` — what every classical rule and preset uses by
 * default on average pooling, global average pooling and Add.
 */
export function norm(): Rule {
  return classicalRule({
    name: 'norm',
    description: 'Norm (proportional split, ε = 1e-6)',
    groups: [{ terms: [{ input: 'input', params: 'own' }] }],
    stabiliser: DEFAULT_STABILISER,
  });
}
