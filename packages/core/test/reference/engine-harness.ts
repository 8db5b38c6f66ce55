/**
 * Glue between the engine and the reference for the comparison tests: builds one random network with
 * a batch of inputs, runs the engine's session and the reference on the same data, and returns
 * per-sample flat arrays. Only this file and engine-cases.ts touch @rlrp/core.
 */
import * as tf from '@tensorflow/tfjs';
import { prepare, type ExplanationSession, type Target } from '@rlrp/core';
import type { RuleCase } from './engine-cases';
import { forward, hasAmbiguousRouting } from './forward';
import { describeModel, type RefNetwork } from './network';
import { explainSample, gradientTimesInput, type RefTarget } from './propagate';
import {
  randomInputs,
  randomNetwork,
  type RandomNetwork,
  type RandomNetworkOptions,
} from './random-networks';

/** A random network, its inputs, its reference description and an engine session on them. */
export interface Fixture {
  readonly net: RandomNetwork;
  readonly ref: RefNetwork;
  readonly samples: Float32Array[];
  readonly input: tf.Tensor;
  readonly session: ExplanationSession;
  dispose(): void;
}

/** Builds the fixture; `foldBatchNorm` is passed to both the engine and the reference. */
export function makeFixture(
  name: string,
  seed: number,
  batch: number,
  foldBatchNorm: boolean,
  options: RandomNetworkOptions = {},
): Fixture {
  const net = randomNetwork(name, seed, options);
  const samples = randomInputs(net.inputShape, batch, seed);
  const flat = new Float32Array(samples.reduce((s, x) => s + x.length, 0));
  samples.forEach((x, i) => flat.set(x, i * x.length));
  const input = tf.tensor(flat, [batch, ...net.inputShape]);
  let session: ExplanationSession;
  try {
    session = prepare(net.model, input, { foldBatchNorm });
  } catch (error) {
    input.dispose();
    net.model.dispose();
    throw error;
  }
  const ref = describeModel(net.model, { foldBatchNorm });
  return {
    net,
    ref,
    samples,
    input,
    session,
    dispose: () => {
      session.dispose();
      input.dispose();
      net.model.dispose();
    },
  };
}

/** Splits a [batch, ...] tensor into per-sample flat arrays (and leaves the tensor alone). */
export function perSample(t: tf.Tensor): Float32Array[] {
  const data = t.dataSync() as Float32Array;
  const batch = t.shape[0];
  const per = data.length / batch;
  return Array.from({ length: batch }, (_, b) => data.slice(b * per, (b + 1) * per));
}

/** The engine's input relevance per sample for one rule case and per-sample targets. */
export function engineRelevance(
  fixture: Fixture,
  ruleCase: RuleCase,
  target: Target,
): Float32Array[] {
  const explanation = fixture.session.explain({ rule: ruleCase.choice(), target });
  try {
    return perSample(explanation.relevance);
  } finally {
    explanation.dispose();
  }
}

/** The reference's input relevance of one sample and how ill-conditioned its computation is. */
export interface ReferenceResult {
  readonly relevance: Float64Array;
  /**
   * See `RefExplanation.conditioning` (for Gradient×Input, which divides by nothing: 0, or Infinity
   * when a max-pooling window is a float32 near-tie).
   */
  readonly conditioning: number;
}

/** The reference's input relevance per sample. */
export function referenceRelevance(
  fixture: Fixture,
  ruleCase: RuleCase,
  targets: readonly RefTarget[],
): ReferenceResult[] {
  return fixture.samples.map((x, b) => {
    if (ruleCase.reference === 'gradient') {
      const ambiguous = hasAmbiguousRouting(fixture.ref, forward(fixture.ref, x));
      return {
        relevance: gradientTimesInput(fixture.ref, x, targets[b]),
        conditioning: ambiguous ? Infinity : 0,
      };
    }
    const e = explainSample(fixture.ref, x, ruleCase.reference(fixture.ref), targets[b]);
    return { relevance: e.input, conditioning: e.conditioning };
  });
}

/** Float32 unit round-off. */
export const FLOAT32_ROUNDOFF = 2 ** -24;

/**
 * The relative tolerance of one comparison: `base` (1e-4), widened only where the reference's own
 * conditioning says float32 cannot reach it (16 · 2⁻²⁴ · conditioning); unbounded (only
 * finiteness is compared) when max routing is a float32 near-tie.
 */
export function relativeTolerance(conditioning: number, base = 1e-4): number {
  // Capped so that an all-zero reference (scale 0) still demands zeros instead of 0·∞ = NaN.
  return Math.min(1e30, Math.max(base, 16 * FLOAT32_ROUNDOFF * conditioning));
}
