import type { Graph, GraphNode } from './graph/graph';
import { CompositeEntryError, RuleParameterError, UnknownRuleError } from './errors';
import { alphaBeta } from './rules/alpha-beta';
import { zBox, type BoxBounds } from './rules/box';
import { RULES_BY_NAME, ruleByName } from './rules/by-name';
import { epsilon, type EpsilonSetting } from './rules/epsilon';
import { flat } from './rules/flat';
import { gamma } from './rules/gamma';
import { gradientPass } from './rules/gradient-pass';
import { norm } from './rules/norm';
import type { Rule } from './rules/rule';
import { zPlus } from './rules/z-plus';
import { ownValue as own } from './own-value';
import { withRecipe } from './rules/recipe';
import type { PresetName, RuleChoice } from './types';

/**
 * Layer families a composite can select, as zennit's layer types do: `dense` (Dense), `convolution`
 * (Conv2D, DepthwiseConv2D), `linear` (both: zennit's `Linear`), `avgpool` (AveragePooling2D,
 * GlobalAveragePooling2D), `batchnorm` (a BatchNormalization left unfolded) and `add` (Add).
 */
export type LayerFamily = 'dense' | 'convolution' | 'linear' | 'avgpool' | 'batchnorm' | 'add';

/** The Keras classes of every family, most specific families first (that order decides overlaps). */
export const LAYER_FAMILIES: Readonly<Record<LayerFamily, readonly string[]>> = {
  dense: ['Dense'],
  convolution: ['Conv2D', 'DepthwiseConv2D'],
  avgpool: ['AveragePooling2D', 'GlobalAveragePooling2D'],
  batchnorm: ['BatchNormalization'],
  add: ['Add'],
  linear: ['Dense', 'Conv2D', 'DepthwiseConv2D'],
};

const FAMILY_ORDER = Object.keys(LAYER_FAMILIES) as LayerFamily[];

/** Whether `node` is a weighted Dense / Conv2D / DepthwiseConv2D layer (what a classical rule is for). */
function isWeighted(node: GraphNode): boolean {
  return LAYER_FAMILIES.linear.includes(node.className);
}

/** Whether the backward pass asks the composite for `node`'s rule (linear layers and Adds). */
function takesRule(node: GraphNode): boolean {
  return node.op.kind === 'linear' || node.op.kind === 'add';
}

/**
 * zennit's treatment of a layer that is not a weighted Dense/Conv layer: average pooling, global
 * average pooling and Add share relevance in proportion to their inputs (`Norm`); an unfolded
 * BatchNormalization gets no rule, i.e. its plain gradient.
 */
function zennitTreatment(node: GraphNode, normRule: Rule, passRule: Rule): Rule {
  return node.className === 'BatchNormalization' ? passRule : normRule;
}

/** Decides the rule of every linear layer and every Add of a model. */
export interface Composite {
  readonly kind: 'composite';
  /** Human-readable description, e.g. `EpsilonPlusFlat`. */
  readonly description: string;
  /**
   * Checks the composite against a model's graph and returns the rule of each of its linear layers
   * and Adds. Throws {@link CompositeEntryError} when an explicit entry matches no such layer.
   */
  assign(graph: Graph): (node: GraphNode) => Rule;
  /** The rules the composite may hand out (to check they can be mixed). */
  readonly rules: readonly Rule[];
}

/** A rule for the first layer (in the model's layer order) of a family; zennit's `first_map`. */
export interface FirstLayerRule {
  readonly rule: Rule;
  /** Default `'linear'`: the first Dense or convolution. */
  readonly family?: LayerFamily;
}

/**
 * What a composite does with layers that are not weighted Dense/Conv layers and that no entry names:
 * `'zennit'` (default) — average pooling and Add share relevance proportionally (`Norm`), an unfolded
 * batch norm passes its gradient; `'otherwise'` — the `otherwise` rule, as for weighted layers.
 */
export type NonWeightedTreatment = 'zennit' | 'otherwise';

/**
 * Rules by layer name, index, first layer, class and family; the first match wins in that order.
 * Every entry must match a layer of the model that takes a rule (a linear layer or an Add).
 */
export interface CompositeSpec {
  /** Shown in descriptions; default `custom composite`. */
  readonly name?: string;
  /** Rules by layer name (highest precedence). */
  readonly byName?: Readonly<Record<string, Rule>>;
  /** Rules by position of the layer in `model.layers`. */
  readonly byIndex?: Readonly<Record<number, Rule>>;
  /** The rule of the first layer: a rule (the first Dense or convolution), or a rule and a family. */
  readonly firstLayer?: Rule | FirstLayerRule;
  /** Rules by Keras class name (`Dense`, `Conv2D`, `Add`, …). */
  readonly byClass?: Readonly<Record<string, Rule>>;
  /** Rules by layer family (`convolution` covers Conv2D and DepthwiseConv2D, …). */
  readonly byFamily?: Readonly<Partial<Record<LayerFamily, Rule>>>;
  /** Every other Dense / Conv2D / DepthwiseConv2D layer; default LRP-ε with ε = 1e-6. */
  readonly otherwise?: Rule;
  /** Pooling, Add and unfolded batch norms no entry names; default `'zennit'`. */
  readonly nonWeighted?: NonWeightedTreatment;
}

/** Internal: presets are valid on every model (EpsilonGammaBox on an MLP has no convolution). */
interface Strictness {
  readonly requireMatches: boolean;
}

function firstLayerOf(spec: CompositeSpec): FirstLayerRule | undefined {
  const first = spec.firstLayer;
  if (!first) return undefined;
  return 'linear' in first ? { rule: first } : first;
}

function unmatchedEntries(spec: CompositeSpec, nodes: readonly GraphNode[]): string[] {
  const has = (predicate: (n: GraphNode) => boolean) => nodes.some(predicate);
  const inFamily = (family: LayerFamily) => (n: GraphNode) =>
    LAYER_FAMILIES[family].includes(n.className);
  const first = firstLayerOf(spec);
  return [
    ...Object.keys(spec.byName ?? {})
      .filter((name) => !has((n) => n.name === name))
      .map((name) => `byName "${name}"`),
    ...Object.keys(spec.byIndex ?? {})
      .filter((index) => !has((n) => String(n.layerIndex) === index))
      .map((index) => `byIndex ${index}`),
    ...Object.keys(spec.byClass ?? {})
      .filter((cls) => !has((n) => n.className === cls))
      .map((cls) => `byClass "${cls}"`),
    ...Object.keys(spec.byFamily ?? {})
      .filter((family) => !(family in LAYER_FAMILIES) || !has(inFamily(family as LayerFamily)))
      .map((family) => `byFamily "${family}"`),
    ...(first && !has(inFamily(first.family ?? 'linear'))
      ? [`firstLayer (family "${first.family ?? 'linear'}")`]
      : []),
  ];
}

function makeComposite(spec: CompositeSpec, strictness: Strictness): Composite {
  const otherwise = spec.otherwise ?? epsilon();
  const first = firstLayerOf(spec);
  const explicit = [
    ...Object.values(spec.byName ?? {}),
    ...Object.values(spec.byIndex ?? {}),
    ...Object.values(spec.byClass ?? {}),
    ...Object.values(spec.byFamily ?? {}),
    ...(first ? [first.rule] : []),
  ];
  const rules = [otherwise, ...explicit];
  const uniformOnly = rules.find((r) => r.uniformOnly);
  if (uniformOnly) {
    throw new RuleParameterError(
      `${uniformOnly.description} is applied to every layer and cannot be mixed in a composite; ` +
        `pass it alone as the rule.`,
    );
  }
  const description = spec.name ?? 'custom composite';
  const normRule = norm();
  const passRule = gradientPass();
  return {
    kind: 'composite',
    description,
    rules: [...rules, normRule, passRule],
    assign(graph) {
      const nodes = graph.nodes.filter(takesRule);
      if (strictness.requireMatches) {
        const unmatched = unmatchedEntries(spec, nodes);
        if (unmatched.length > 0) {
          throw new CompositeEntryError(
            description,
            unmatched,
            nodes.map((n) => ({ index: n.layerIndex, name: n.name, className: n.className })),
            FAMILY_ORDER.map((f) => `${f} = ${LAYER_FAMILIES[f].join(', ')}`).join('; '),
          );
        }
      }
      const firstFamily = LAYER_FAMILIES[first?.family ?? 'linear'];
      const firstId = first ? nodes.find((n) => firstFamily.includes(n.className))?.id : undefined;
      return (node) =>
        own(spec.byName, node.name) ??
        own(spec.byIndex, String(node.layerIndex)) ??
        (first && node.id === firstId ? first.rule : undefined) ??
        own(spec.byClass, node.className) ??
        FAMILY_ORDER.map((f) =>
          LAYER_FAMILIES[f].includes(node.className) ? own(spec.byFamily, f) : undefined,
        ).find((r) => r !== undefined) ??
        (isWeighted(node) || spec.nonWeighted === 'otherwise'
          ? otherwise
          : zennitTreatment(node, normRule, passRule));
    },
  };
}

/** A composite from explicit assignments (see {@link CompositeSpec} for the precedence). */
export function composite(spec: CompositeSpec): Composite {
  return makeComposite(spec, { requireMatches: true });
}

/** Options of {@link uniform}. */
export interface UniformOptions {
  /** Pooling, Add and unfolded batch norms: zennit's treatment (default) or the same rule. */
  readonly nonWeighted?: 'zennit' | 'same-rule';
}

/**
 * One rule for every Dense, Conv2D and DepthwiseConv2D layer; pooling, Add and unfolded batch norms
 * get zennit's treatment unless `nonWeighted: 'same-rule'`. R-LRP and Gradient × Input are
 * defined on every layer and always apply to all of them.
 */
export function uniform(rule: Rule, options: UniformOptions = {}): Composite {
  if (rule.uniformOnly || options.nonWeighted === 'same-rule') {
    return {
      kind: 'composite',
      description: rule.description,
      rules: [rule],
      assign: () => () => rule,
    };
  }
  return makeComposite({ name: rule.description, otherwise: rule }, { requireMatches: false });
}

/** Options shared by the presets. */
export interface PresetOptions {
  /** ε of the Dense layers; default 1e-6. */
  readonly epsilon?: EpsilonSetting;
}

/** A preset: zennit's layer map for convolutions and Dense layers, and maybe a first-layer rule. */
function preset(
  name: PresetName,
  convolution: Rule,
  options: PresetOptions,
  firstLayer?: FirstLayerRule,
): Composite {
  const dense = epsilon(options.epsilon ?? 1e-6);
  return makeComposite(
    { name, byFamily: { convolution, dense }, otherwise: dense, firstLayer },
    { requireMatches: false },
  );
}

/** EpsilonPlus (zennit's `EpsilonPlus`): z⁺ for convolutions, LRP-ε for Dense layers. */
export function epsilonPlus(options: PresetOptions = {}): Composite {
  return withRecipe(preset('EpsilonPlus', zPlus(), options), 'epsilonPlus', [options]);
}

/** EpsilonPlusFlat: EpsilonPlus with the flat rule for the first Dense or convolution. */
export function epsilonPlusFlat(options: PresetOptions = {}): Composite {
  const made = preset('EpsilonPlusFlat', zPlus(), options, { rule: flat(), family: 'linear' });
  return withRecipe(made, 'epsilonPlusFlat', [options]);
}

/**
 * EpsilonGammaBox: zᴮ for the first convolution (only a convolution, as zennit), LRP-γ for the other
 * convolutions, LRP-ε for Dense layers.
 */
export function epsilonGammaBox(
  options: PresetOptions & Partial<BoxBounds> & { readonly gamma?: number } = {},
): Composite {
  const made = preset('EpsilonGammaBox', gamma(options.gamma ?? 0.25), options, {
    rule: zBox({ low: options.low ?? 0, high: options.high ?? 1 }),
    family: 'convolution',
  });
  return withRecipe(made, 'epsilonGammaBox', [options]);
}

/** EpsilonAlpha2Beta1: LRP-α2β1 for convolutions, LRP-ε for Dense layers. */
export function epsilonAlpha2Beta1(options: PresetOptions = {}): Composite {
  const made = preset('EpsilonAlpha2Beta1', alphaBeta(2, 1), options);
  return withRecipe(made, 'epsilonAlpha2Beta1', [options]);
}

/** EpsilonAlpha2Beta1Flat: EpsilonAlpha2Beta1 with the flat rule for the first Dense or convolution. */
export function epsilonAlpha2Beta1Flat(options: PresetOptions = {}): Composite {
  const made = preset('EpsilonAlpha2Beta1Flat', alphaBeta(2, 1), options, {
    rule: flat(),
    family: 'linear',
  });
  return withRecipe(made, 'epsilonAlpha2Beta1Flat', [options]);
}

/** The presets by name, with default options. */
export const PRESETS: Readonly<Record<PresetName, () => Composite>> = {
  EpsilonPlus: () => epsilonPlus(),
  EpsilonPlusFlat: () => epsilonPlusFlat(),
  EpsilonGammaBox: () => epsilonGammaBox(),
  EpsilonAlpha2Beta1: () => epsilonAlpha2Beta1(),
  EpsilonAlpha2Beta1Flat: () => epsilonAlpha2Beta1Flat(),
};

/** All names accepted as a rule choice. */
export const RULE_CHOICES: readonly string[] = [
  ...Object.keys(RULES_BY_NAME),
  ...Object.keys(PRESETS),
];

function isComposite(choice: object): choice is Composite {
  return (choice as Composite).kind === 'composite';
}

/** Turns any {@link RuleChoice} into a composite, or throws {@link UnknownRuleError}. */
export function resolveRuleChoice(choice: RuleChoice): Composite {
  if (typeof choice === 'string') {
    const rule = ruleByName(choice);
    if (rule) return uniform(rule());
    const presetFactory = own<() => Composite>(PRESETS, choice);
    if (presetFactory) return presetFactory();
    const caseInsensitive = RULE_CHOICES.find(
      (name) => name.toLowerCase() === choice.toLowerCase(),
    );
    throw new UnknownRuleError(
      choice,
      RULE_CHOICES,
      caseInsensitive
        ? `Unknown rule "${choice}"; did you mean "${caseInsensitive}"? Known rules and composites: ${RULE_CHOICES.join(', ')}.`
        : undefined,
    );
  }
  if (choice && typeof choice === 'object') {
    if (isComposite(choice)) return choice;
    if (typeof (choice as Rule).linear === 'function') return uniform(choice as Rule);
  }
  throw new UnknownRuleError(String(choice), RULE_CHOICES);
}
