import type { GraphNode } from './graph/graph';
import { RuleParameterError, UnknownRuleError } from './errors';
import { alphaBeta, zPlus } from './rules/alpha-beta';
import { zBox, type BoxBounds } from './rules/box';
import { RULES_BY_NAME } from './rules/by-name';
import { epsilon, type EpsilonSetting } from './rules/epsilon';
import { gamma } from './rules/gamma';
import { flat } from './rules/input-independent';
import type { Rule } from './rules/rule';
import type { PresetName, RuleChoice } from './types';

/** Where a layer sits, for composites that treat the first layer specially. */
export interface LayerPosition {
  /** The linear layer reads the model input directly (through shape-only layers at most). */
  readonly isFirstLayer: boolean;
}

/** Decides the rule for every linear layer and every Add of a model. */
export interface Composite {
  readonly kind: 'composite';
  /** Human-readable description, e.g. `EpsilonPlusFlat`. */
  readonly description: string;
  /** The rule for one node (a linear layer or an Add). */
  ruleFor(node: GraphNode, position: LayerPosition): Rule;
  /** The rules the composite may hand out (to check they can be mixed). */
  readonly rules: readonly Rule[];
}

/** Rules by layer class, name, index, and a special first layer; the first match wins in that order. */
export interface CompositeSpec {
  /** Shown in descriptions; default `custom composite`. */
  readonly name?: string;
  /** Rules by layer name (highest precedence). */
  readonly byName?: Readonly<Record<string, Rule>>;
  /** Rules by position of the layer in `model.layers`. */
  readonly byIndex?: Readonly<Record<number, Rule>>;
  /** The rule for the linear layer(s) reading the model input. */
  readonly firstLayer?: Rule;
  /** Rules by Keras class name (`Dense`, `Conv2D`, `Add`, …). */
  readonly byClass?: Readonly<Record<string, Rule>>;
  /** Every other linear layer and Add; default LRP-ε with ε = 1e-6. */
  readonly otherwise?: Rule;
}

/** A composite from explicit assignments (see {@link CompositeSpec} for the precedence). */
export function composite(spec: CompositeSpec): Composite {
  const otherwise = spec.otherwise ?? epsilon();
  const rules = [
    otherwise,
    ...Object.values(spec.byName ?? {}),
    ...Object.values(spec.byIndex ?? {}),
    ...Object.values(spec.byClass ?? {}),
    ...(spec.firstLayer ? [spec.firstLayer] : []),
  ];
  const uniformOnly = rules.find((r) => r.uniformOnly);
  if (uniformOnly) {
    throw new RuleParameterError(
      `${uniformOnly.description} is applied to every layer and cannot be mixed in a composite; ` +
        `pass it alone as the rule.`,
    );
  }
  return {
    kind: 'composite',
    description: spec.name ?? 'custom composite',
    rules,
    ruleFor(node, position) {
      return (
        spec.byName?.[node.name] ??
        spec.byIndex?.[node.layerIndex] ??
        (position.isFirstLayer && node.op.kind === 'linear' ? spec.firstLayer : undefined) ??
        spec.byClass?.[node.className] ??
        otherwise
      );
    },
  };
}

/** One rule for every layer. */
export function uniform(rule: Rule): Composite {
  return { kind: 'composite', description: rule.description, rules: [rule], ruleFor: () => rule };
}

const CONVOLUTIONS = ['Conv2D', 'DepthwiseConv2D'] as const;
const byConvolution = (rule: Rule) => Object.fromEntries(CONVOLUTIONS.map((c) => [c, rule]));

/** Options shared by the presets. */
export interface PresetOptions {
  /** ε of the Dense layers (and the fallback rule); default 1e-6. */
  readonly epsilon?: EpsilonSetting;
}

/** EpsilonPlus: z⁺ for convolutions, LRP-ε for Dense and everything else. */
export function epsilonPlus(options: PresetOptions = {}): Composite {
  const eps = epsilon(options.epsilon ?? 1e-6);
  return composite({ name: 'EpsilonPlus', byClass: byConvolution(zPlus()), otherwise: eps });
}

/** EpsilonPlusFlat: EpsilonPlus with the flat rule for the first layer. */
export function epsilonPlusFlat(options: PresetOptions = {}): Composite {
  const eps = epsilon(options.epsilon ?? 1e-6);
  return composite({
    name: 'EpsilonPlusFlat',
    byClass: byConvolution(zPlus()),
    firstLayer: flat(),
    otherwise: eps,
  });
}

/** EpsilonGammaBox: zᴮ for the first layer, LRP-γ for convolutions, LRP-ε for the rest. */
export function epsilonGammaBox(
  options: PresetOptions & Partial<BoxBounds> & { readonly gamma?: number } = {},
): Composite {
  return composite({
    name: 'EpsilonGammaBox',
    firstLayer: zBox({ low: options.low ?? 0, high: options.high ?? 1 }),
    byClass: byConvolution(gamma(options.gamma ?? 0.25)),
    otherwise: epsilon(options.epsilon ?? 1e-6),
  });
}

/** EpsilonAlpha2Beta1: LRP-α2β1 for convolutions, LRP-ε for the rest. */
export function epsilonAlpha2Beta1(options: PresetOptions = {}): Composite {
  return composite({
    name: 'EpsilonAlpha2Beta1',
    byClass: byConvolution(alphaBeta(2, 1)),
    otherwise: epsilon(options.epsilon ?? 1e-6),
  });
}

/** EpsilonAlpha2Beta1Flat: EpsilonAlpha2Beta1 with the flat rule for the first layer. */
export function epsilonAlpha2Beta1Flat(options: PresetOptions = {}): Composite {
  return composite({
    name: 'EpsilonAlpha2Beta1Flat',
    byClass: byConvolution(alphaBeta(2, 1)),
    firstLayer: flat(),
    otherwise: epsilon(options.epsilon ?? 1e-6),
  });
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
    const rule = (RULES_BY_NAME as Record<string, (() => Rule) | undefined>)[choice];
    if (rule) return uniform(rule());
    const preset = (PRESETS as Record<string, (() => Composite) | undefined>)[choice];
    if (preset) return preset();
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
