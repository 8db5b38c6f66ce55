import type { Rule } from './rule';
import { classicalStart } from './stabilise';

/**
 * The plain gradient of a layer applied to the relevance, `R_in = Wᵀ R_out`: what zennit does with a
 * layer no rule is attached to. The classical rules and presets use it for a BatchNormalization that
 * could not be folded into the layer before it (zennit without a canonizer behaves the same).
 */
export function gradientPass(): Rule {
  return {
    name: 'gradient-pass',
    description: 'gradient pass (no rule, as zennit)',
    propagates: 'relevance',
    uniformOnly: false,
    initialRelevance: classicalStart,
    linear: (context, relevance) => context.op.transpose(relevance, context.input.shape),
    add: (inputs, _output, relevance) => inputs.map(() => relevance.clone()),
  };
}
