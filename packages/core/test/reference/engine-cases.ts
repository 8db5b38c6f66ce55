/**
 * The rule choices the engine is compared on, each paired with the reference's per-layer rule
 * assignment written from the spec (zennit 0.5's conventions) and the composites' documented layer
 * maps: a classical rule applies to the weighted layers (Dense, Conv2D, DepthwiseConv2D); average
 * pooling, global average pooling and Add get Norm (proportional, ε = 1e-6); an unfolded BatchNorm
 * passes its gradient. Presets assign by family (convolution = Conv2D / DepthwiseConv2D, dense =
 * Dense) and a special first layer (the first layer of its family in topological order).
 */
import {
  alphaBeta,
  composite,
  epsilon,
  flat,
  epsilonAlpha2Beta1,
  epsilonGammaBox,
  gamma,
  norm,
  wSquare,
  zBox,
  zPlus,
  uniform,
  type RuleChoice,
} from '@rlrp/core';
import type { RefNetwork, RefNode } from './network';
import type { RuleAssignment } from './propagate';
import type { RefRule } from './rules';

/** One engine rule choice and how the reference reproduces it. */
export interface RuleCase {
  readonly label: string;
  /** What is passed to `session.explain({ rule })`. */
  readonly choice: () => RuleChoice;
  /** The reference's assignment on a given network, or 'gradient' for Gradient×Input. */
  readonly reference: ((net: RefNetwork) => RuleAssignment) | 'gradient';
}

/** Classes of the weighted layers a classical rule is for. */
export const WEIGHTED = new Set(['Dense', 'Conv2D', 'DepthwiseConv2D']);
const CONVOLUTIONS = new Set(['Conv2D', 'DepthwiseConv2D']);
const EPS: RefRule = { name: 'epsilon', epsilon: 1e-6 };

/** zennit's treatment of a node that is not a weighted layer: Norm, or the gradient for a batch norm. */
export function nonWeightedRule(node: RefNode): RefRule {
  return node.className === 'BatchNormalization' ? { name: 'gradient' } : { name: 'norm' };
}

/** The name of the first linear node (topological order) whose class is in `classes`. */
export function firstOf(net: RefNetwork, classes: ReadonlySet<string>): string | undefined {
  return net.nodes.find((n) => n.op.kind === 'linear' && classes.has(n.className))?.name;
}

/** A classical rule on every weighted layer, zennit's treatment elsewhere. */
export const classicalUniform =
  (rule: RefRule): RuleAssignment =>
  (node) =>
    WEIGHTED.has(node.className) ? rule : nonWeightedRule(node);

const classical = (rule: RefRule) => (): RuleAssignment => classicalUniform(rule);

const same = (rule: RefRule) => (): RuleAssignment => () => rule;

/** A preset's assignment: first layer of a family, convolutions, Dense, zennit's treatment elsewhere. */
const layered =
  (first: { rule: RefRule; classes: ReadonlySet<string> } | null, conv: RefRule, dense: RefRule) =>
  (net: RefNetwork): RuleAssignment => {
    const firstName = first ? firstOf(net, first.classes) : undefined;
    return (node) => {
      if (first && node.name === firstName) return first.rule;
      if (CONVOLUTIONS.has(node.className)) return conv;
      if (node.className === 'Dense') return dense;
      return nonWeightedRule(node);
    };
  };

const FIRST_FLAT = { rule: { name: 'flat' } as RefRule, classes: WEIGHTED };
const firstBox = (low: number, high: number) => ({
  rule: { name: 'zbox', low, high } as RefRule,
  classes: CONVOLUTIONS,
});

/** Every single rule by name, configured rules, presets and a custom composite. */
export const RULE_CASES: readonly RuleCase[] = [
  { label: "'rlrp'", choice: () => 'rlrp', reference: same({ name: 'rlrp' }) },
  { label: "'lrp0'", choice: () => 'lrp0', reference: classical({ name: 'lrp0' }) },
  { label: "'epsilon' (1e-6)", choice: () => 'epsilon', reference: classical(EPS) },
  {
    label: 'epsilon(0.25)',
    choice: () => epsilon(0.25),
    reference: classical({ name: 'epsilon', epsilon: 0.25 }),
  },
  {
    label: 'epsilon({ timesStd: 0.25 })',
    choice: () => epsilon({ timesStd: 0.25 }),
    reference: classical({ name: 'epsilonStd', timesStd: 0.25 }),
  },
  {
    label: "'gamma' (0.25)",
    choice: () => 'gamma',
    reference: classical({ name: 'gamma', gamma: 0.25 }),
  },
  {
    label: 'gamma(0.1)',
    choice: () => gamma(0.1),
    reference: classical({ name: 'gamma', gamma: 0.1 }),
  },
  {
    label: "'alpha1beta0'",
    choice: () => 'alpha1beta0',
    reference: classical({ name: 'alphabeta', alpha: 1, beta: 0 }),
  },
  {
    label: "'alpha2beta1'",
    choice: () => 'alpha2beta1',
    reference: classical({ name: 'alphabeta', alpha: 2, beta: 1 }),
  },
  {
    label: 'alphaBeta(3, 2)',
    choice: () => alphaBeta(3, 2),
    reference: classical({ name: 'alphabeta', alpha: 3, beta: 2 }),
  },
  { label: "'zplus'", choice: () => 'zplus', reference: classical({ name: 'zplus' }) },
  {
    label: 'zBox(−1, 1) uniform',
    choice: () => zBox({ low: -1, high: 1 }),
    reference: classical({ name: 'zbox', low: -1, high: 1 }),
  },
  { label: "'wsquare'", choice: () => 'wsquare', reference: classical({ name: 'wsquare' }) },
  { label: "'flat'", choice: () => 'flat', reference: classical({ name: 'flat' }) },
  {
    label: "gamma({ variant: 'classic' })",
    choice: () => gamma({ gamma: 0.25, variant: 'classic' }),
    reference: classical({ name: 'gamma', gamma: 0.25, classic: true }),
  },
  {
    label: 'zPlus({ bias: false })',
    choice: () => zPlus({ bias: false }),
    reference: classical({ name: 'zplus', bias: false }),
  },
  {
    label: 'wSquare({ bias: false })',
    choice: () => wSquare({ bias: false }),
    reference: classical({ name: 'wsquare', bias: false }),
  },
  {
    label: 'alphaBeta(2, 1, { ignoreBias: true })',
    choice: () => alphaBeta(2, 1, { ignoreBias: true }),
    reference: classical({ name: 'alphabeta', alpha: 2, beta: 1, bias: false }),
  },
  {
    label: "composite({ otherwise: ε 0.1, nonWeighted: 'otherwise' })",
    choice: () => composite({ otherwise: epsilon(0.1), nonWeighted: 'otherwise' }),
    reference: same({ name: 'epsilon', epsilon: 0.1 }),
  },
  { label: 'norm()', choice: () => norm(), reference: classical({ name: 'norm' }) },
  {
    label: "uniform(epsilon(0.25), { nonWeighted: 'same-rule' })",
    choice: () => uniform(epsilon(0.25), { nonWeighted: 'same-rule' }),
    reference: same({ name: 'epsilon', epsilon: 0.25 }),
  },
  { label: "'gradient-x-input'", choice: () => 'gradient-x-input', reference: 'gradient' },
  {
    label: "'EpsilonPlus'",
    choice: () => 'EpsilonPlus',
    reference: layered(null, { name: 'zplus' }, EPS),
  },
  {
    label: "'EpsilonPlusFlat'",
    choice: () => 'EpsilonPlusFlat',
    reference: layered(FIRST_FLAT, { name: 'zplus' }, EPS),
  },
  {
    label: "'EpsilonAlpha2Beta1'",
    choice: () => 'EpsilonAlpha2Beta1',
    reference: layered(null, { name: 'alphabeta', alpha: 2, beta: 1 }, EPS),
  },
  {
    label: "'EpsilonAlpha2Beta1Flat'",
    choice: () => 'EpsilonAlpha2Beta1Flat',
    reference: layered(FIRST_FLAT, { name: 'alphabeta', alpha: 2, beta: 1 }, EPS),
  },
  {
    label: "'EpsilonGammaBox' (documented bounds low 0, high 1)",
    choice: () => 'EpsilonGammaBox',
    reference: layered(firstBox(0, 1), { name: 'gamma', gamma: 0.25 }, EPS),
  },
  {
    label: 'epsilonGammaBox({ low: −1, high: 1 })',
    choice: () => epsilonGammaBox({ low: -1, high: 1 }),
    reference: layered(firstBox(-1, 1), { name: 'gamma', gamma: 0.25 }, EPS),
  },
  {
    label: 'epsilonAlpha2Beta1({ epsilon: 0.1 })',
    choice: () => epsilonAlpha2Beta1({ epsilon: 0.1 }),
    reference: layered(
      null,
      { name: 'alphabeta', alpha: 2, beta: 1 },
      { name: 'epsilon', epsilon: 0.1 },
    ),
  },
];

/**
 * A custom composite on a given network: z⁺ for the layer named `lastLinear` (by name), w² for the
 * first Dense or convolution, ε = 0.5 for Add (when the network has one, by class), ε = 0.01 for
 * Dense (by family), γ = 0.5 for every other weighted layer; zennit's treatment elsewhere.
 */
export function customCase(lastLinear: string, hasAdd: boolean): RuleCase {
  return {
    label: `composite(byName ${lastLinear}: z⁺, firstLayer: w², byClass Add: ε 0.5, byFamily dense: ε 0.01, otherwise γ 0.5)`,
    choice: () =>
      composite({
        byName: { [lastLinear]: zPlus() },
        firstLayer: wSquare(),
        byClass: hasAdd ? { Add: epsilon(0.5) } : {},
        byFamily: { dense: epsilon(0.01) },
        otherwise: gamma(0.5),
      }),
    reference: (net) => {
      const first = firstOf(net, WEIGHTED);
      return (node) => {
        if (node.name === lastLinear) return { name: 'zplus' };
        if (node.name === first) return { name: 'wsquare' };
        if (node.className === 'Add') return { name: 'epsilon', epsilon: 0.5 };
        if (node.className === 'Dense') return { name: 'epsilon', epsilon: 0.01 };
        if (WEIGHTED.has(node.className)) return { name: 'gamma', gamma: 0.5 };
        return nonWeightedRule(node);
      };
    },
  };
}

/**
 * A composite by layer index: the flat rule for the layer at `index` of `model.layers` (named
 * `layerName`), LRP-ε with ε = 0.1 for every other weighted layer, zennit's treatment elsewhere.
 */
export function indexCase(index: number, layerName: string): RuleCase {
  return {
    label: `composite(byIndex ${index} (${layerName}): flat, otherwise ε 0.1)`,
    choice: () => composite({ byIndex: { [index]: flat() }, otherwise: epsilon(0.1) }),
    reference: () => (node) => {
      if (node.name === layerName) return { name: 'flat' };
      return WEIGHTED.has(node.className)
        ? { name: 'epsilon', epsilon: 0.1 }
        : nonWeightedRule(node);
    },
  };
}
