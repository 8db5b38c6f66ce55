import * as tf from '@tensorflow/tfjs';
import { nativeKernelsActive } from '../engine/native-kernels';
import { rlrpDirectStepNatively } from '../engine/native-rlrp-direct-step';
import type { LinearOp, LinearParams } from '../layers/linear-op';
import { weightPeakOf } from '../layers/weight-peak';
import { splitAddFinite, uncheckedAddSplit } from './rlrp-add-split';
import type { LinearContext, Rule, Unchecked } from './rule';
import { dividePerSample, massPerSample, perSample, toUnitScale } from './unit-scale';
import { withRecipe } from './recipe';

/** Weights whose peak lies in this range are used as they are (see {@link weightsAtUnitScale}). */
const WEIGHT_PEAK_RANGE = [2 ** -32, 2 ** 32] as const;

/**
 * The direct step trusts a message mass from 2⁻¹⁰⁰ on: its messages then lose to underflow (below
 * 2⁻¹²⁶) at most 2⁻²⁶ of their mass, and its renormalising factor stays below {@link MAX_FACTOR}.
 */
const MIN_TRUSTED_MASS = 2 ** -100;

/** The largest renormalising factor the direct step multiplies by (float32 holds up to 2¹²⁸). */
const MAX_FACTOR = 2 ** 100;

/**
 * The layer's weights at a scale where `Wᵀ R` of a unit-scale `R` can neither overflow nor lose its
 * small terms to underflow: the layer's own (`undefined`, so the kernels it keeps are reused) when
 * `max |W|` is ordinary, else `W / max |W|` for this call — a positive factor, which the
 * renormalisation removes.
 */
function weightsAtUnitScale(op: LinearOp): LinearParams | undefined {
  const { peak } = weightPeakOf(op.params.weight);
  if (peak === 0 || (peak >= WEIGHT_PEAK_RANGE[0] && peak <= WEIGHT_PEAK_RANGE[1])) {
    return undefined;
  }
  return { weight: op.params.weight.div(peak), bias: null };
}

/**
 * Whether the direct step's masses, `[Σ|m|, Σ|R|]` per sample, can be trusted: neither overflowed
 * (Inf, NaN), and `Σ|m|` is not so small that its reciprocal scale is inexact (it underflowed
 * toward denormals) or the renormalising factor exceeds {@link MAX_FACTOR}.
 */
function massesTrusted(masses: Float32Array): boolean {
  for (let b = 0; b < masses.length / 2; b++) {
    const [massIn, massOut] = [masses[2 * b], masses[2 * b + 1]];
    // In float64 for the test only; the step divides in float32 on the engine (the same value:
    // float64's quotient of two float32 values rounds to the correctly rounded float32 one).
    const factor = massOut / massIn;
    const trusted =
      Number.isFinite(massOut) &&
      massIn >= MIN_TRUSTED_MASS &&
      Number.isFinite(massIn) &&
      factor <= MAX_FACTOR;
    if (!trusted) return false;
  }
  return true;
}

/**
 * The direct step `m = a ⊙ (Wᵀ R)`, `R_in = m · ‖R‖₁ / ‖m‖₁`, computed without reading the device,
 * with its masses `[Σ|m|, Σ|R|]` per sample for {@link massesTrusted}. On ordinary networks this is
 * the whole step, with no extra pass over the activations.
 */
function uncheckedDirectStep(context: LinearContext, relevance: tf.Tensor): Unchecked<tf.Tensor> {
  const { value, check } = tf.tidy(() => {
    const { op, input } = context;
    const back = op.transpose(relevance, input.shape);
    if (directStepRunsNatively(input, back, relevance)) {
      return rlrpDirectStepNatively(input, back, relevance);
    }
    const messages = input.mul(back);
    const massIn = massPerSample(messages);
    const massOut = massPerSample(relevance);
    return {
      value: messages.mul(perSample(massOut.div(massIn), messages.rank)),
      check: tf.stack([massIn, massOut], 1),
    };
  });
  return { value, check, trusts: massesTrusted };
}

/**
 * Whether the native kernels compute the direct step: tfjs' float32 operations in one call, on
 * masses summed in another order (engine/native-rlrp-direct-step.ts).
 */
function directStepRunsNatively(input: tf.Tensor, back: tf.Tensor, relevance: tf.Tensor): boolean {
  return (
    nativeKernelsActive() &&
    [input, back, relevance].every((t) => t.dtype === 'float32' && t.rank >= 1) &&
    input.size > 0 &&
    relevance.shape[0] === input.shape[0] &&
    tf.util.arraysEqual(back.shape, input.shape)
  );
}

/**
 * The direct step, or `null` where float32 cannot be trusted with it for some sample
 * ({@link massesTrusted}): one device read of two `[batch]` masses decides.
 */
function directStep(context: LinearContext, relevance: tf.Tensor): tf.Tensor | null {
  const step = uncheckedDirectStep(context, relevance);
  const masses = step.check.dataSync() as Float32Array;
  step.check.dispose();
  if (step.trusts(masses)) return step.value;
  step.value.dispose();
  return null;
}

/**
 * The same step computed so that no intermediate overflows or underflows whatever the scale:
 * `R`, `Wᵀ R` and `a` are each brought to unit scale per sample first — positive factors that the
 * renormalisation removes — so the messages `m` are at most 1 in magnitude; then
 * `(m / Σ|m|) · Σ|R̂| · peak(R)` has no element larger than the mass it carries. Where `Σ|m|` is 0
 * all relevance vanished and the sample's relevance is zeros.
 */
function scaledStep(context: LinearContext, relevance: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const { op, input } = context;
    const r = toUnitScale(relevance);
    const back = toUnitScale(op.transpose(r.unit, input.shape, weightsAtUnitScale(op)));
    const messages = toUnitScale(input).unit.mul(back.unit);
    const massIn = massPerSample(messages);
    const massOutAtUnit = massPerSample(r.unit);
    // Each factor keeps the product finite: |m / Σ|m|| ≤ 1, times Σ|R̂| ≤ size of R, times the
    // peak of R: at most the mass R itself carries.
    return dividePerSample(messages, massIn)
      .mul(perSample(massOutAtUnit, messages.rank))
      .mul(perSample(r.peak, messages.rank));
  });
}

/**
 * R-LRP's linear step `R_in = a ⊙ (Wᵀ R_out)`, renormalised to `‖R_in‖₁ = ‖R_out‖₁` per sample,
 * finite whenever the forward pass is. The naive order overflows at large scales (`a ⊙ Wᵀ R` above
 * 3.4e38, then Inf / Inf = NaN) and underflows at tiny ones (a mass of 0 makes `massOut / massIn`
 * infinite, and 0 · Inf is NaN): it is used where its masses show it was exact, and the scaled
 * computation everywhere else.
 */
function linearStep(context: LinearContext, relevance: tf.Tensor): tf.Tensor {
  return directStep(context, relevance) ?? scaledStep(context, relevance);
}

/**
 * R-LRP — Relative LRP, as specified in docs/rules.md, "R-LRP as specified here" (a reconstruction
 * from the paper's abstract).
 *
 * - start: `onehot(target) · |f_target(x)|` — positive relevance is evidence for the target;
 * - linear layer: `R_in = a ⊙ (Wᵀ R_out)` — no bias share and no denominator;
 * - then renormalise so that `‖R_in‖₁ = ‖R_out‖₁` per sample (zeros if all relevance vanished);
 * - Add `y = Σ u_i`: `R_{u_i} = u_i / y ⊙ R_y`, split evenly where `y = 0` — the one division by a
 *   possibly small value, the paper's stated exception at skip connections.
 *
 * Every step is finite whenever the forward pass is (property P4), at every float32 scale. It has
 * no parameter at all (property P1).
 */
export function rlrp(): Rule {
  const rule: Rule = {
    name: 'rlrp',
    description: 'R-LRP',
    propagates: 'relevance',
    uniformOnly: true,
    initialRelevance: (logits, selection) => tf.tidy(() => tf.abs(logits).mul(selection)),
    linear: linearStep,
    // The direct step and the engine's Add split everywhere, their masses checked once after the
    // pass (one device read instead of one per step); where one fails, the pass runs again with
    // linearStep and splitAddFinite.
    unchecked: { linear: uncheckedDirectStep, add: uncheckedAddSplit },
    add: splitAddFinite,
  };
  return withRecipe(rule, 'rlrp', []);
}
