/**
 * No tensor leaks: tf.memory().numTensors returns to its baseline after prepare / explain (every rule,
 * with and without trace) / dispose, after the one-shot explain, and after calls that throw.
 */
import * as tf from '@tensorflow/tfjs';
import { explain, prepare, releaseExplainCache, RlrpError, type RuleChoice } from '@rlrp/core';
import { randomInputs, randomNetwork, RANDOM_NETWORK_NAMES } from './reference';

const CHOICES: RuleChoice[] = [
  'rlrp',
  'lrp0',
  'epsilon',
  'gamma',
  'alpha1beta0',
  'alpha2beta1',
  'zplus',
  'wsquare',
  'flat',
  'gradient-x-input',
  'EpsilonPlus',
  'EpsilonPlusFlat',
  'EpsilonGammaBox',
  'EpsilonAlpha2Beta1',
  'EpsilonAlpha2Beta1Flat',
];

function batchOf(shape: readonly number[], seed: number): tf.Tensor {
  const samples = randomInputs(shape, 2, seed);
  const flat = new Float32Array(samples.length * samples[0].length);
  samples.forEach((s, i) => flat.set(s, i * s.length));
  return tf.tensor(flat, [2, ...shape]);
}

/** Runs `step` and reports how many tensors it left behind. */
function leftBehind(step: () => void): number {
  const before = tf.memory().numTensors;
  step();
  return tf.memory().numTensors - before;
}

describe('no tensor leaks', () => {
  for (const name of RANDOM_NETWORK_NAMES) {
    it(`${name}: prepare → dispose, explain (all rules, trace on/off) → dispose, one-shot explain`, () => {
      const net = randomNetwork(name, 31);
      const input = batchOf(net.inputShape, 31);
      const leaks: Record<string, number> = {};
      const record = (label: string, step: () => void): void => {
        let error: unknown;
        const n = leftBehind(() => {
          try {
            step();
          } catch (e) {
            error = e;
          }
        });
        if (n !== 0) leaks[label] = n;
        if (error && !(error instanceof RlrpError)) leaks[`${label} threw ${String(error)}`] = n;
      };
      for (const foldBatchNorm of [true, false]) {
        record(`prepare+dispose fold=${foldBatchNorm}`, () =>
          prepare(net.model, input, { foldBatchNorm }).dispose(),
        );
        record(`session fold=${foldBatchNorm}`, () => {
          const session = prepare(net.model, input, { foldBatchNorm });
          try {
            // A session may cache tensors lazily on its first explanation (released by dispose, which
            // the enclosing record checks); repeated explanations must leave nothing behind.
            for (const rule of CHOICES) session.explain({ rule, target: 'predicted' }).dispose();
            for (const rule of CHOICES) {
              for (const trace of [false, true]) {
                record(`  ${String(rule)} trace=${trace}`, () =>
                  session.explain({ rule, target: 'predicted', trace }).dispose(),
                );
              }
            }
            record('  probabilities', () => session.probabilities().dispose());
            const classes = session.logits.shape[1];
            const start = [
              Array.from({ length: classes }, (_, k) => k),
              Array.from({ length: classes }, () => 1),
            ];
            for (const rule of ['rlrp', 'epsilon'] as const) {
              record(`  ${rule} explicit output relevance (arrays)`, () =>
                session.explain({ rule, target: { outputRelevance: start } }).dispose(),
              );
              const tensor = tf.tensor2d(start);
              record(`  ${rule} explicit output relevance (tensor)`, () =>
                session.explain({ rule, target: { outputRelevance: tensor } }).dispose(),
              );
              tensor.dispose();
              record(`  ${rule} target per sample`, () =>
                session.explain({ rule, target: [0, 1] }).dispose(),
              );
            }
            record('  bad target (throws)', () =>
              session.explain({ rule: 'rlrp', target: 99 }).dispose(),
            );
            record('  unknown rule (throws)', () =>
              session.explain({ rule: 'nope' as RuleChoice }).dispose(),
            );
          } finally {
            session.dispose();
          }
        });
      }
      const oneShot = (rule: RuleChoice) =>
        explain(net.model, input, { rule, trace: true }).dispose();
      record('one-shot explain, then releaseExplainCache', () => {
        oneShot('EpsilonPlusFlat');
        releaseExplainCache();
      });
      // The kept graph makes a rule's rewritten weights and the transposed kernels on its first
      // explanation and, for weights transposed again, Winograd's matrices on the second; after
      // that nothing grows.
      for (let i = 0; i < 2; i++)
        for (const rule of ['rlrp', 'EpsilonPlusFlat'] as const) oneShot(rule);
      record('one-shot explain of the same model again (kept graph reused)', () => {
        oneShot('rlrp');
        oneShot('EpsilonPlusFlat');
      });
      releaseExplainCache();
      input.dispose();
      net.model.dispose();
      expect(leaks).toEqual({});
    });
  }
});
