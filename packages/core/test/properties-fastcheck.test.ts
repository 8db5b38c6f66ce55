/**
 * Property-based tests (fast-check) over random networks, weight scales and inputs: R-LRP never
 * returns NaN or ±Inf, keeps |f_target| as its input mass on sequential nets, agrees with the
 * reference, and leaves no tensor behind; and every rule and preset agrees with the reference on
 * random seeds, BatchNorm folded or not.
 */
import * as fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { prepare } from '@rlrp/core';
import {
  describeModel,
  explainSample,
  closeness,
  closenessAllowingNaNSpread,
  describeCloseness,
  l1,
  randomNetwork,
  RANDOM_NETWORK_NAMES,
  SeededRandom,
  SEQUENTIAL_NETWORK_NAMES,
  uniform,
} from './reference';
import {
  engineRelevance,
  makeFixture,
  perSample,
  referenceRelevance,
  relativeTolerance,
} from './reference/engine-harness';
import { RULE_CASES } from './reference/engine-cases';

const SEQUENTIAL = new Set(SEQUENTIAL_NETWORK_NAMES);

type InputKind = 'uniform' | 'zeros' | 'constant' | 'sparse';

function makeInputs(
  shape: readonly number[],
  kind: InputKind,
  scale: number,
  seed: number,
): Float32Array[] {
  const rng = new SeededRandom(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  return [0, 1].map(() =>
    Float32Array.from({ length: n }, () => {
      switch (kind) {
        case 'zeros':
          return 0;
        case 'constant':
          return scale;
        case 'sparse':
          return rng.next() < 0.8 ? 0 : rng.uniform(-scale, scale);
        default:
          return rng.uniform(-scale, scale);
      }
    }),
  );
}

describe('fast-check: R-LRP over random nets, weight scales and inputs', () => {
  it('is finite everywhere (input relevance and every trace layer), matches the reference, and does not leak', () => {
    const before = tf.memory().numTensors;
    // Samples whose max routing is a float32 near-tie are compared for finiteness only; they must
    // stay a minority or the comparison would say little.
    let compared = 0;
    let ambiguous = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...RANDOM_NETWORK_NAMES),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom(1e-3, 1, 1e3),
        fc.constantFrom(0.01, 1, 30),
        fc.constantFrom<InputKind>('uniform', 'zeros', 'constant', 'sparse'),
        (name, seed, inputScale, weightScale, kind) => {
          const net = randomNetwork(name, seed, { weightScale });
          const samples = makeInputs(net.inputShape, kind, inputScale, seed);
          const flat = new Float32Array(samples.length * samples[0].length);
          samples.forEach((s, i) => flat.set(s, i * s.length));
          const input = tf.tensor(flat, [samples.length, ...net.inputShape]);
          const session = prepare(net.model, input);
          const problems: string[] = [];
          try {
            const classes = session.logits.shape[1];
            const targets = [seed % classes, (seed + 1) % classes];
            const e = session.explain({ rule: 'rlrp', target: targets, trace: true });
            const relevance = perSample(e.relevance);
            const logits = perSample(e.logits);
            relevance.forEach((r, b) => {
              if (!r.every(Number.isFinite))
                problems.push(`sample ${b}: non-finite input relevance`);
            });
            for (const layer of e.trace ?? []) {
              perSample(layer.relevance).forEach((r, b) => {
                if (!r.every(Number.isFinite))
                  problems.push(`sample ${b}: non-finite relevance at ${layer.name}`);
              });
            }
            e.dispose();
            const ref = describeModel(net.model);
            samples.forEach((x, b) => {
              const f = Math.abs(logits[b][targets[b]]);
              if (SEQUENTIAL.has(name) && Number.isFinite(f) && f > 0) {
                const mass = l1(relevance[b]);
                // Mass |f| unless all relevance vanished (e.g. a zero input), then zeros.
                if (mass !== 0 && Math.abs(mass - f) > 1e-4 * f)
                  problems.push(`sample ${b}: mass ${mass} vs |f| ${f}`);
              }
              const expected = explainSample(ref, x, uniform({ name: 'rlrp' }), targets[b]);
              compared++;
              if (expected.conditioning === Infinity) ambiguous++;
              const c = closeness(
                relevance[b],
                expected.input,
                relativeTolerance(expected.conditioning),
                1e-7 * Math.max(1, f),
              );
              if (!c.ok) problems.push(describeCloseness(`sample ${b} vs reference`, c));
            });
          } finally {
            session.dispose();
            input.dispose();
            net.model.dispose();
          }
          if (problems.length > 0) {
            throw new Error(
              `${name} seed ${seed} input ${kind}×${inputScale} weights ×${weightScale}:\n${problems.join('\n')}`,
            );
          }
        },
      ),
      { numRuns: 100, seed: 20260125 },
    );
    expect(ambiguous).toBeLessThanOrEqual(0.2 * compared);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('fast-check: every rule and preset equals the reference on random nets and seeds', () => {
  it('engine input relevance = reference (1e-4 of max|R|, widened only by float32 conditioning)', () => {
    const before = tf.memory().numTensors;
    let compared = 0;
    let ambiguous = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...RANDOM_NETWORK_NAMES),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: RULE_CASES.length - 1 }),
        fc.boolean(),
        (name, seed, caseIndex, foldBatchNorm) => {
          const ruleCase = RULE_CASES[caseIndex];
          const fixture = makeFixture(name, seed, 2, foldBatchNorm);
          const problems: string[] = [];
          try {
            const classes = fixture.session.logits.shape[1];
            const targets = [seed % classes, (seed >> 3) % classes];
            const got = engineRelevance(fixture, ruleCase, targets);
            const expected = referenceRelevance(fixture, ruleCase, targets);
            got.forEach((g, b) => {
              compared++;
              if (expected[b].conditioning === Infinity) ambiguous++;
              const ref = expected[b].relevance;
              const tol = relativeTolerance(expected[b].conditioning);
              const c = ref.every(Number.isFinite)
                ? closeness(g, ref, tol, 1e-7)
                : closenessAllowingNaNSpread(g, ref, tol, 1e-7);
              if (!c.ok) problems.push(describeCloseness(`sample ${b} target ${targets[b]}`, c));
            });
          } finally {
            fixture.dispose();
          }
          if (problems.length > 0) {
            throw new Error(
              `${name} seed ${seed} ${ruleCase.label} fold=${foldBatchNorm}:\n${problems.join('\n')}`,
            );
          }
        },
      ),
      { numRuns: 80, seed: 20260126 },
    );
    expect(ambiguous).toBeLessThanOrEqual(0.2 * compared);
    expect(tf.memory().numTensors).toBe(before);
  });
});
