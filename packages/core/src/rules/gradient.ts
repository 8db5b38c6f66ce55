import type { Rule } from './rule';
import { withRecipe } from './recipe';

/**
 * Gradient × Input, the baseline method: the backward pass carries `∂f_target/∂a` (through
 * activations with their derivative, through linear layers by `Wᵀ`, to every summand of an Add),
 * and relevance is `a ⊙ ∂f_target/∂a` at every layer.
 */
export function gradientTimesInput(): Rule {
  const rule: Rule = {
    name: 'gradient-x-input',
    description: 'Gradient × Input',
    propagates: 'gradient',
    uniformOnly: true,
    initialRelevance: (_logits, selection) => selection.clone(),
    linear: (context, gradient) => context.op.transpose(gradient, context.input.shape),
    add: (inputs, _output, gradient) => inputs.map(() => gradient.clone()),
  };
  return withRecipe(rule, 'gradientTimesInput', []);
}
