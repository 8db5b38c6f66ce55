import * as tf from '@tensorflow/tfjs';
import type { LinearOp, LinearParams } from '../layers/linear-op';
import { negativePart, type WeightRewrite } from '../layers/derived-params';
import { knownNonNegative, rememberNonNegative } from './known-signs';
import type { LinearContext, Rule, Unchecked } from './rule';
import { classicalAddSplit, classicalStart, stabilisedRatio } from './stabilise';

/**
 * What one term feeds the layer instead of its input `a` (zennit's input modifier): `a` itself,
 * `a⁺ = max(0, a)`, `a⁻ = min(0, a)`, all ones (rules that ignore the input), or a tensor made from
 * `a` (zᴮ's bounds).
 */
export type InputModifier =
  'input' | 'positive' | 'negative' | 'ones' | ((a: tf.Tensor) => tf.Tensor);

/**
 * The parameters one term uses (zennit's parameter modifier): the layer's own (`'own'`, bias
 * included), a kept parameter-free rewrite of them ({@link WeightRewrite}), or a function of the
 * layer that returns kept parameters (use `op.derived.custom` so they are made once per layer).
 */
export type ParamModifier = 'own' | WeightRewrite | ((op: LinearOp) => LinearParams);

/** One term `sign · forward(input′, params′)` of a group's denominator and of its numerator. */
export interface Term {
  readonly input: InputModifier;
  readonly params: ParamModifier;
  /** `-1` subtracts the term (zᴮ's bound terms); default `+1`. */
  readonly sign?: 1 | -1;
}

/**
 * Which outputs a group explains, by the sign of the layer's own pre-activation `z` (zennit's output
 * masks of the generalised γ rule): all of them, only `z > 0`, or only `z < 0`.
 */
export type OutputSelection = 'all' | 'positive-outputs' | 'negative-outputs';

/**
 * A group of terms whose sum is one denominator: `R_in += factor · Σ_t sign_t · a′_t ⊙ W′_tᵀ (R ⊙
 * mask / stabilise(Σ_t sign_t · (W′_t a′_t + b′_t)))`.
 */
export interface TermGroup {
  readonly terms: readonly Term[];
  /** The group's weight in the sum (LRP-αβ's α and −β); default 1. */
  readonly factor?: number;
  /** Default `'all'`. */
  readonly outputs?: OutputSelection;
}

/** ε as a constant, or as a multiple of the standard deviation of each layer's pre-activations. */
export type EpsilonSetting = number | { readonly timesStd: number };

/**
 * A classical rule as data, in the spirit of zennit's hooks: groups of (input modifier, parameter
 * modifier) terms, each group's sum stabilised as `d + ε·sign(d)` (sign(0) = +1; ε = 0 divides raw).
 */
export interface RuleDefinition {
  readonly name: string;
  readonly description: string;
  readonly groups: readonly TermGroup[];
  readonly stabiliser: EpsilonSetting;
}

/** ε for one denominator: the constant, or `timesStd · std(d)` per sample, shaped to broadcast. */
export function epsilonFor(setting: EpsilonSetting, d: tf.Tensor): number | tf.Tensor {
  if (typeof setting === 'number') return setting;
  const axes = d.shape.map((_, i) => i).slice(1);
  return tf.moments(d, axes, true).variance.sqrt().mul(setting.timesStd);
}

const isPlainTerm = (t: Term) => t.input === 'input' && t.params === 'own' && (t.sign ?? 1) === 1;

function paramsOf(op: LinearOp, modifier: ParamModifier): LinearParams {
  if (modifier === 'own') return op.params;
  if (typeof modifier === 'function') return modifier(op);
  return op.derived.get(modifier);
}

function inputOf(a: tf.Tensor, modifier: InputModifier): tf.Tensor | 'ones' {
  switch (modifier) {
    case 'input':
      return a;
    case 'positive':
      return tf.relu(a);
    case 'negative':
      return negativePart(a);
    case 'ones':
      return 'ones';
    default:
      return modifier(a);
  }
}

/** What the builder learns about the input once per call (one read-back at most). */
interface InputSigns {
  /** `a ≥ 0` everywhere (after a ReLU, on [0, 1] pixels): every `a⁻` term vanishes. */
  readonly nonNegative: boolean;
  /** No relevance at outputs with `z < 0`: a `'negative-outputs'` group has nothing to explain. */
  readonly noNegativeOutputRelevance: boolean;
}

/**
 * The signs `definition` needs at this layer, read in one read-back at most. `outputSign: false`
 * leaves the output's out (the unchecked step checks it after the pass instead).
 */
function readSigns(
  definition: RuleDefinition,
  context: LinearContext,
  r: tf.Tensor,
  outputSign = true,
): InputSigns {
  const terms = definition.groups.flatMap((g) => g.terms);
  const needsInputSign = terms.some((t) => t.input === 'negative');
  const needsOutputSign = outputSign && explainsNegativeOutputs(definition);
  if (!needsInputSign && !needsOutputSign) {
    return { nonNegative: false, noNegativeOutputRelevance: false };
  }
  // The input's sign is often known already (the forward pass's check, or an earlier call on the
  // same activation): then only the output's, if needed, is read.
  const known = needsInputSign ? knownNonNegative(context.input) : false;
  const readInputSign = needsInputSign && known === undefined;
  if (!readInputSign && !needsOutputSign) {
    return { nonNegative: known === true, noNegativeOutputRelevance: false };
  }
  const stacked = tf.tidy(() =>
    tf.stack([
      readInputSign ? tf.min(context.input) : tf.scalar(-1),
      needsOutputSign ? relevanceAtNegativeOutputs(context, r) : tf.scalar(1),
    ]),
  );
  // One read-back for both facts: it saves whole forward and transposed passes.
  const [minInput, negativeRelevance] = stacked.dataSync();
  stacked.dispose();
  if (readInputSign) rememberNonNegative(context.input, minInput >= 0);
  return {
    nonNegative: readInputSign ? minInput >= 0 : known === true,
    noNegativeOutputRelevance: negativeRelevance === 0,
  };
}

function maskFor(selection: OutputSelection, z: tf.Tensor): tf.Tensor | null {
  if (selection === 'positive-outputs') return tf.greater(z, 0).cast('float32');
  if (selection === 'negative-outputs') return tf.less(z, 0).cast('float32');
  return null;
}

/** Whether a group of `definition` explains only the outputs with `z < 0` (generalised γ). */
function explainsNegativeOutputs(definition: RuleDefinition): boolean {
  return definition.groups.some((g) => g.outputs === 'negative-outputs');
}

/**
 * The step with the output's sign not read but assumed (no relevance at outputs with `z < 0`,
 * as on ReLU networks, where those outputs pass none), and the check that says whether it was
 * so: `max |R| · [z < 0]`, read after the pass with every other check (one read per explanation
 * where each layer would read its own). The input's sign, when not known yet, is still read here,
 * once per activation.
 */
function uncheckedPropagate(
  definition: RuleDefinition,
  context: LinearContext,
  relevance: tf.Tensor,
): Unchecked<tf.Tensor> {
  const signs = readSigns(definition, context, relevance, false);
  if (reachesNegativeOutputs.has(context.op)) {
    // This layer's check failed before, so it would likely fail again and the pass run twice:
    // both forms are computed and the device picks the one the checked step would read its way
    // to (no relevance at z < 0: the group is skipped), without a read.
    const value = tf.tidy(() => {
      const { skipped, explained } = propagateBothForms(definition, context, relevance, signs);
      return tf.where(
        tf.equal(relevanceAtNegativeOutputs(context, relevance), 0),
        skipped,
        explained,
      );
    });
    return { value, check: tf.zeros([0]), trusts: () => true };
  }
  const value = propagateWith(definition, context, relevance, {
    ...signs,
    noNegativeOutputRelevance: true,
  });
  const check = tf.tidy(() => relevanceAtNegativeOutputs(context, relevance).reshape([1]));
  const trusts = ([atNegativeOutputs]: Float32Array) => {
    if (atNegativeOutputs === 0) return true;
    reachesNegativeOutputs.add(context.op);
    return false;
  };
  return { value, check, trusts };
}

/** `max |R| · [z < 0]`: zero when no relevance sits at an output with `z < 0` (NaN propagates). */
function relevanceAtNegativeOutputs(context: LinearContext, r: tf.Tensor): tf.Scalar {
  return tf.max(tf.abs(r).mul(tf.less(context.output, 0)));
}

/**
 * Layers whose unchecked step's check failed: relevance reached outputs with `z < 0`, as it does
 * where a layer feeds an Add rather than a ReLU (a residual branch), or at the output layer for a
 * class with a negative logit. Their unchecked step computes both forms from then on, so that a
 * later explanation neither reads nor runs its pass twice.
 */
const reachesNegativeOutputs = new WeakSet<LinearOp>();

/** The relevance of a linear layer's input under `definition` (see {@link TermGroup}). */
function propagate(
  definition: RuleDefinition,
  context: LinearContext,
  relevance: tf.Tensor,
): tf.Tensor {
  return propagateWith(definition, context, relevance, readSigns(definition, context, relevance));
}

/**
 * {@link propagate} both with the group for outputs with `z < 0` and without it (the value its
 * checked step gives when no relevance sits there). That group comes last in generalised γ, so the
 * sum without it is the sum of the groups before it: every term is computed once.
 */
function propagateBothForms(
  definition: RuleDefinition,
  context: LinearContext,
  relevance: tf.Tensor,
  signs: InputSigns,
): { skipped: tf.Tensor; explained: tf.Tensor } {
  const explaining = { ...signs, noNegativeOutputRelevance: false };
  const negativeGroups = definition.groups.filter((g) => g.outputs === 'negative-outputs');
  const last = definition.groups[definition.groups.length - 1];
  // The sum before the last group is the skipped form only when no other group is skipped too.
  if (negativeGroups.length === 1 && last === negativeGroups[0]) {
    const { total, beforeLastGroup } = sumOfGroups(
      definition,
      context,
      relevance,
      explaining,
      true,
    );
    return { skipped: beforeLastGroup as tf.Tensor, explained: total };
  }
  return {
    skipped: propagateWith(definition, context, relevance, {
      ...signs,
      noNegativeOutputRelevance: true,
    }),
    explained: propagateWith(definition, context, relevance, explaining),
  };
}

/** {@link propagate} with the signs known. */
function propagateWith(
  definition: RuleDefinition,
  context: LinearContext,
  relevance: tf.Tensor,
  signs: InputSigns,
): tf.Tensor {
  return sumOfGroups(definition, context, relevance, signs, false).total;
}

/**
 * The sum of every group's terms, in order; `keepBeforeLastGroup`: also the sum before the last
 * group (kept, where the loop would release it).
 */
function sumOfGroups(
  definition: RuleDefinition,
  context: LinearContext,
  relevance: tf.Tensor,
  signs: InputSigns,
  keepBeforeLastGroup: boolean,
): { total: tf.Tensor; beforeLastGroup?: tf.Tensor } {
  return tf.tidy(() => {
    const { op, input, output } = context;
    // Full-size temporaries are released as soon as they are read, not when the tidy ends: on
    // VGG16's 224² layers each is 12.8 MB, and the wasm heap keeps its high-water mark
    // (docs/performance.md, memory). The operations and their order are unchanged.
    let beforeLastGroup: tf.Tensor | undefined;
    const release = (...tensors: tf.Tensor[]) => {
      for (const t of new Set(tensors)) {
        if (t !== output && t !== input && t !== relevance && t !== beforeLastGroup) t.dispose();
      }
    };
    // a⁺, a⁻ and the like, made once per call: LRP-αβ and generalised γ use them in both groups.
    const modified = new Map<InputModifier, tf.Tensor | 'ones'>();
    const modifiedInput = (modifier: InputModifier): tf.Tensor | 'ones' => {
      let value = modified.get(modifier);
      if (value === undefined) {
        value = inputOf(input, modifier);
        modified.set(modifier, value);
      }
      return value;
    };
    let total: tf.Tensor | null = null;
    for (const [index, group] of definition.groups.entries()) {
      if (keepBeforeLastGroup && index === definition.groups.length - 1) {
        beforeLastGroup = total ?? tf.zerosLike(input);
      }
      const selection = group.outputs ?? 'all';
      if (selection === 'negative-outputs' && signs.noNegativeOutputRelevance) continue;
      // With a ≥ 0, a⁻ terms vanish and a⁺ is a itself.
      const terms = group.terms
        .filter((t) => !(t.input === 'negative' && signs.nonNegative))
        .map((t) => ({
          sign: t.sign ?? 1,
          input: t.input === 'positive' && signs.nonNegative ? input : modifiedInput(t.input),
          params: paramsOf(op, t.params),
        }));
      if (terms.length === 0) continue;
      // A single unmodified term is the layer's own forward pass, already computed.
      const denominator =
        group.terms.length === 1 && isPlainTerm(group.terms[0])
          ? output
          : tf.tidy(() =>
              terms
                .map(({ sign, input: a, params }) => {
                  const z = op.forward(a === 'ones' ? tf.onesLike(input) : a, params);
                  return sign === 1 ? z : tf.neg(z);
                })
                .reduce((sum, z) => sum.add(z)),
            );
      let ratio = stabilisedRatio(
        relevance,
        denominator,
        epsilonFor(definition.stabiliser, denominator),
      );
      release(denominator);
      const mask = maskFor(selection, output);
      if (mask) {
        const masked = ratio.mul(mask);
        release(ratio, mask);
        ratio = masked;
      }
      if ((group.factor ?? 1) !== 1) {
        const scaled = ratio.mul(group.factor ?? 1);
        release(ratio);
        ratio = scaled;
      }
      for (const { sign, input: a, params } of terms) {
        const back = op.transpose(ratio, input.shape, params);
        const share = a === 'ones' ? back : a.mul(back);
        if (share !== back) release(back);
        const signed = sign === 1 ? share : tf.neg(share);
        if (signed !== share) release(share);
        const sum: tf.Tensor = total ? total.add(signed) : signed;
        if (total) release(total, signed);
        total = sum;
      }
      release(ratio);
    }
    release(...[...modified.values()].filter((a): a is tf.Tensor => a !== 'ones'));
    return { total: total ?? tf.zerosLike(input), beforeLastGroup };
  });
}

/**
 * A classical LRP rule from its definition: relevance starts at `onehot · f_target`, crosses a
 * linear layer as the definition says, and an Add (when a composite gives this rule one) in
 * proportion to the summands with the definition's stabiliser. A definition with a group for the
 * outputs with `z < 0` (generalised γ) also gets an unchecked step that checks, after the pass,
 * the output sign its checked step reads at every layer ({@link Rule.unchecked}).
 */
export function classicalRule(definition: RuleDefinition): Rule {
  return {
    name: definition.name,
    description: definition.description,
    propagates: 'relevance',
    uniformOnly: false,
    initialRelevance: classicalStart,
    linear: (context, relevance) => propagate(definition, context, relevance),
    ...(explainsNegativeOutputs(definition) && {
      unchecked: {
        linear: (context, relevance) => uncheckedPropagate(definition, context, relevance),
      },
    }),
    add: (inputs, output, relevance) =>
      tf.tidy(() =>
        classicalAddSplit(inputs, output, relevance, epsilonFor(definition.stabiliser, output)),
      ),
  };
}
