/**
 * The rule choices the engine is compared on, each paired with the reference's per-layer rule
 * assignment written from the spec and the composites' documented layer maps:
 * presets assign by layer class (Conv2D / DepthwiseConv2D = "convolutions"), a special first layer
 * (a linear layer that reads the input through shape-only layers at most), and LRP-ε (1e-6) to
 * everything else — Dense, pooling, standalone BatchNorm and Add.
 */
import {
  alphaBeta,
  composite,
  epsilon,
  flat,
  epsilonAlpha2Beta1,
  epsilonGammaBox,
  gamma,
  wSquare,
  zBox,
  zPlus,
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

const STRUCTURAL = new Set([
  'Flatten',
  'Reshape',
  'Permute',
  'Dropout',
  'ZeroPadding2D',
  'Cropping2D',
  'InputLayer',
]);
const CONVOLUTIONS = new Set(['Conv2D', 'DepthwiseConv2D']);
const EPS: RefRule = { name: 'epsilon', epsilon: 1e-6 };

/** Whether a linear node reads the network input directly or through shape-only layers. */
export function isFirstLayer(net: RefNetwork, node: RefNode): boolean {
  if (node.op.kind !== 'linear') return false;
  const byName = new Map(net.nodes.map((n) => [n.name, n]));
  let current = byName.get(node.inputs[0])!;
  while (current.name !== net.input) {
    if (!STRUCTURAL.has(current.className) || current.inputs.length !== 1) return false;
    current = byName.get(current.inputs[0])!;
  }
  return true;
}

const same = (rule: RefRule) => (): RuleAssignment => () => rule;

/** A preset-like assignment: first layer, convolutions, everything else. */
const layered =
  (first: RefRule | null, conv: RefRule, rest: RefRule) =>
  (net: RefNetwork): RuleAssignment =>
  (node) => {
    if (first && isFirstLayer(net, node)) return first;
    if (CONVOLUTIONS.has(node.className)) return conv;
    return rest;
  };

/** Every single rule by name, configured rules, presets and a custom composite. */
export const RULE_CASES: readonly RuleCase[] = [
  { label: "'rlrp'", choice: () => 'rlrp', reference: same({ name: 'rlrp' }) },
  { label: "'lrp0'", choice: () => 'lrp0', reference: same({ name: 'lrp0' }) },
  { label: "'epsilon' (1e-6)", choice: () => 'epsilon', reference: same(EPS) },
  {
    label: 'epsilon(0.25)',
    choice: () => epsilon(0.25),
    reference: same({ name: 'epsilon', epsilon: 0.25 }),
  },
  {
    label: 'epsilon({ timesStd: 0.25 })',
    choice: () => epsilon({ timesStd: 0.25 }),
    reference: same({ name: 'epsilonStd', timesStd: 0.25 }),
  },
  {
    label: "'gamma' (0.25)",
    choice: () => 'gamma',
    reference: same({ name: 'gamma', gamma: 0.25 }),
  },
  { label: 'gamma(0.1)', choice: () => gamma(0.1), reference: same({ name: 'gamma', gamma: 0.1 }) },
  {
    label: "'alpha1beta0'",
    choice: () => 'alpha1beta0',
    reference: same({ name: 'alphabeta', alpha: 1, beta: 0 }),
  },
  {
    label: "'alpha2beta1'",
    choice: () => 'alpha2beta1',
    reference: same({ name: 'alphabeta', alpha: 2, beta: 1 }),
  },
  {
    label: 'alphaBeta(3, 2)',
    choice: () => alphaBeta(3, 2),
    reference: same({ name: 'alphabeta', alpha: 3, beta: 2 }),
  },
  { label: "'zplus'", choice: () => 'zplus', reference: same({ name: 'zplus' }) },
  {
    label: 'zBox(−1, 1) uniform',
    choice: () => zBox({ low: -1, high: 1 }),
    reference: same({ name: 'zbox', low: -1, high: 1 }),
  },
  { label: "'wsquare'", choice: () => 'wsquare', reference: same({ name: 'wsquare' }) },
  { label: "'flat'", choice: () => 'flat', reference: same({ name: 'flat' }) },
  { label: "'gradient-x-input'", choice: () => 'gradient-x-input', reference: 'gradient' },
  {
    label: "'EpsilonPlus'",
    choice: () => 'EpsilonPlus',
    reference: layered(null, { name: 'zplus' }, EPS),
  },
  {
    label: "'EpsilonPlusFlat'",
    choice: () => 'EpsilonPlusFlat',
    reference: layered({ name: 'flat' }, { name: 'zplus' }, EPS),
  },
  {
    label: "'EpsilonAlpha2Beta1'",
    choice: () => 'EpsilonAlpha2Beta1',
    reference: layered(null, { name: 'alphabeta', alpha: 2, beta: 1 }, EPS),
  },
  {
    label: "'EpsilonAlpha2Beta1Flat'",
    choice: () => 'EpsilonAlpha2Beta1Flat',
    reference: layered({ name: 'flat' }, { name: 'alphabeta', alpha: 2, beta: 1 }, EPS),
  },
  {
    label: "'EpsilonGammaBox' (documented bounds low 0, high 1)",
    choice: () => 'EpsilonGammaBox',
    reference: layered({ name: 'zbox', low: 0, high: 1 }, { name: 'gamma', gamma: 0.25 }, EPS),
  },
  {
    label: 'epsilonGammaBox({ low: −1, high: 1 })',
    choice: () => epsilonGammaBox({ low: -1, high: 1 }),
    reference: layered({ name: 'zbox', low: -1, high: 1 }, { name: 'gamma', gamma: 0.25 }, EPS),
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
 * first layer, ε = 0.5 for Add, ε = 0.01 for Dense, γ = 0.5 for everything else.
 */
export function customCase(lastLinear: string): RuleCase {
  return {
    label: `composite(byName ${lastLinear}: z⁺, firstLayer: w², byClass Add: ε 0.5, Dense: ε 0.01, otherwise γ 0.5)`,
    choice: () =>
      composite({
        byName: { [lastLinear]: zPlus() },
        firstLayer: wSquare(),
        byClass: { Add: epsilon(0.5), Dense: epsilon(0.01) },
        otherwise: gamma(0.5),
      }),
    reference: (net) => (node) => {
      if (node.name === lastLinear) return { name: 'zplus' };
      if (isFirstLayer(net, node)) return { name: 'wsquare' };
      if (node.className === 'Add') return { name: 'epsilon', epsilon: 0.5 };
      if (node.className === 'Dense') return { name: 'epsilon', epsilon: 0.01 };
      return { name: 'gamma', gamma: 0.5 };
    },
  };
}

/**
 * A composite by layer index: the flat rule for the layer at `index` of `model.layers` (named
 * `layerName`), LRP-ε with ε = 0.1 for every other linear layer and Add.
 */
export function indexCase(index: number, layerName: string): RuleCase {
  return {
    label: `composite(byIndex ${index} (${layerName}): flat, otherwise ε 0.1)`,
    choice: () => composite({ byIndex: { [index]: flat() }, otherwise: epsilon(0.1) }),
    reference: () => (node) =>
      node.name === layerName ? { name: 'flat' } : { name: 'epsilon', epsilon: 0.1 },
  };
}
