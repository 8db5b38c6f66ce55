/**
 * Device reads per explanation of a prepared session (what an explorer click costs): R-LRP reads
 * its steps' checks once after the pass, the classical rules read no sign the forward pass already
 * told them (with the native kernels) or they read before (without); and where a check fails, the
 * pass runs again with the checked steps and still equals them.
 */
import * as tf from '@tensorflow/tfjs';
import { ExplainableModel, type ExplanationSession } from '@rlrp/core';
import { initEngine } from '../src/engine/init-engine';
import { randomInputs, randomNetwork } from './reference/random-networks';
import { expectNoTensorLeakPerTest } from './support/tensor-leak-check';
import { readsDuring } from './support/device-reads';

expectNoTensorLeakPerTest();

afterAll(async () => {
  await initEngine({ engine: 'wasm' });
});

/** Two seeded samples U(−1, 1) shaped for the network. */
function inputsOf(inputShape: readonly number[], seed: number): tf.Tensor {
  const samples = randomInputs(inputShape, 2, seed);
  return tf.tensor(
    samples.flatMap((s) => Array.from(s)),
    [2, ...inputShape],
    'float32',
  );
}

/**
 * Runs `use` on a prepared session of a seeded random `network` (two seeded samples), and
 * releases them all.
 */
function withSession<T>(
  network: string,
  seed: number,
  use: (session: ExplanationSession, explainable: ExplainableModel, input: tf.Tensor) => T,
  weightScale = 1,
): T {
  const { model, inputShape } = randomNetwork(network, seed, { weightScale });
  const input = inputsOf(inputShape, seed + 1);
  const explainable = new ExplainableModel(model);
  const session = explainable.prepare(input);
  try {
    return use(session, explainable, input);
  } finally {
    session.dispose();
    explainable.dispose();
    model.dispose();
    input.dispose();
  }
}

/** Reads of each of `rules`' explanations, in order, on one prepared session of `network`. */
function readsPerExplanation(network: string, rules: readonly string[], weightScale = 1): number[] {
  return withSession(
    network,
    11,
    (session) =>
      rules.map((rule) =>
        readsDuring(() => session.explain({ rule: rule as never, trace: true }).dispose()),
      ),
    weightScale,
  );
}

describe.each([true, false])('with native kernels: %s', (native) => {
  beforeAll(async () => {
    await initEngine({ engine: 'wasm', nativeKernels: native });
  });

  it('R-LRP reads once per explanation, on plain and residual networks', () => {
    expect(readsPerExplanation('relu-cnn', ['rlrp', 'rlrp'])).toEqual([1, 1]);
    expect(readsPerExplanation('residual-identity', ['rlrp', 'rlrp'])).toEqual([1, 1]);
  });

  it.each([
    ['relu-cnn', ['rlrp', 'epsilon', 'EpsilonPlus', 'EpsilonPlusFlat', 'gamma']],
    ['residual-identity', ['rlrp', 'epsilon', 'EpsilonPlus', 'EpsilonPlusFlat', 'gamma']],
  ] as const)(
    'explainAndRead on %s reads the checks and the caller’s values in one transfer: %s',
    (network, rules) =>
      withSession(network, 11, (session) => {
        for (const rule of rules) {
          // Without the native kernels a z⁺ rule reads the input signs it needs once, on its
          // first explanation of the session (see above), and γ's first check may fail at a layer
          // (below); every later explanation is the count under test.
          session.explain({ rule }).dispose();
          let result: ReturnType<typeof session.explainAndRead> | undefined;
          const reads = readsDuring(() => {
            result = session.explainAndRead({ rule, trace: true }, (e) => e.relevance.sum(-1));
          });
          const { explanation, values } = result as NonNullable<typeof result>;
          expect([rule, reads]).toEqual([rule, 1]);
          // The values read are those of this explanation (a channel sum per pixel)…
          const expected = tf.tidy(() => explanation.relevance.sum(-1).dataSync());
          expect(Array.from(values)).toEqual(Array.from(expected));
          // …which is the one explain() gives.
          const alone = session.explain({ rule, trace: true });
          expect(Array.from(explanation.relevance.dataSync())).toEqual(
            Array.from(alone.relevance.dataSync()),
          );
          expect(explanation.trace?.length).toBe(alone.trace?.length);
          alone.dispose();
          explanation.dispose();
        }
      }),
  );

  it('generalised γ on a residual network: one read per explanation once a failed check is known', () => {
    const reads = readsPerExplanation('residual-identity', ['gamma', 'gamma', 'gamma']);
    // The first pass's check fails where relevance reaches z < 0 (a branch into the Add), and
    // the pass runs again checked, reading; later ones take both forms at those layers.
    expect(reads[0]).toBeGreaterThan(1);
    expect(reads.slice(1)).toEqual([1, 1]);
  });

  it('generalised γ’s unchecked pass equals its checked one (one-shot), on plain and residual networks', () => {
    for (const network of ['relu-cnn', 'residual-identity']) {
      withSession(network, 21, (session, explainable, input) => {
        for (let round = 0; round < 2; round++) {
          let prepared: ReturnType<typeof session.explain> | undefined;
          const reads = readsDuring(() => (prepared = session.explain({ rule: 'gamma' })));
          // On the residual network the first check fails (rerun, reads); the second explanation
          // then takes both forms where it failed, with one read.
          if (network === 'residual-identity') expect(reads > 1).toBe(round === 0);
          if (!prepared) throw new Error('no explanation');
          const once = explainable.explain(input, { rule: 'gamma' });
          expect(Array.from(prepared.relevance.dataSync())).toEqual(
            Array.from(once.relevance.dataSync()),
          );
          prepared.dispose();
          once.dispose();
        }
      });
    }
  });

  it('explainAndRead leaves a tensor the caller owns alone, and disposes what select makes', () => {
    withSession('relu-cnn', 32, (session) => {
      session.explain({ rule: 'rlrp' }).dispose();
      const owned = tf.tensor1d([1, 2, 3]);
      const before = tf.memory().numTensors;
      const { explanation, values } = session.explainAndRead({ rule: 'rlrp' }, () => owned);
      expect(owned.isDisposed).toBe(false);
      expect(Array.from(values)).toEqual([1, 2, 3]);
      explanation.dispose();
      // select's own temporaries (a sum and a product here) go with the read.
      session
        .explainAndRead({ rule: 'rlrp' }, (e) => e.relevance.sum().mul(2))
        .explanation.dispose();
      expect(tf.memory().numTensors).toBe(before);
      owned.dispose();
    });
  });

  it('explainAndRead reads one of the explanation’s own tensors without disposing it, and leaks nothing when select throws', () => {
    withSession('relu-cnn', 31, (session) => {
      // The first explanation builds what the layers keep (derived parameters): counted after it.
      session.explain({ rule: 'rlrp' }).dispose();
      const before = tf.memory().numTensors;
      const { explanation, values } = session.explainAndRead({ rule: 'rlrp' }, (e) => e.relevance);
      expect(explanation.relevance.isDisposed).toBe(false);
      expect(Array.from(values)).toEqual(Array.from(explanation.relevance.dataSync()));
      explanation.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(() =>
        session.explainAndRead({ rule: 'rlrp' }, () => {
          throw new Error('select failed');
        }),
      ).toThrow('select failed');
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  it('generalised γ reads its output signs once per explanation, after the pass', () => {
    const reads = readsPerExplanation('relu-cnn', ['gamma', 'gamma', 'gamma']);
    expect(reads.slice(1)).toEqual([1, 1]);
    if (native) expect(reads[0]).toBe(1);
  });

  it('LRP-ε reads nothing', () => {
    expect(readsPerExplanation('relu-cnn', ['epsilon', 'epsilon'])).toEqual([0, 0]);
  });

  it('z⁺ rules read no sign twice, and none at all when the forward pass gave them', () => {
    const reads = readsPerExplanation('relu-cnn', ['EpsilonPlus', 'EpsilonPlus']);
    expect(reads[1]).toBe(0);
    if (native) expect(reads[0]).toBe(0);
  });
});

describe.each([true, false])('a failed check (native kernels: %s)', (native) => {
  beforeAll(async () => {
    await initEngine({ engine: 'wasm', nativeKernels: native });
  });

  /**
   * Explains `input` on a prepared session (unchecked steps, then the rerun) with its trace, and
   * one-shot (checked steps only): both must be equal, finite, and the first must have reread.
   */
  function expectRerunEqualsChecked(
    weightScale: number,
    input: (shape: readonly number[]) => tf.Tensor,
  ) {
    // Bias-free: activations scale with the kernels, and masses below 2⁻¹⁰⁰ fail the checks.
    const { model, inputShape } = randomNetwork('relu-cnn', 13, { weightScale, biasFree: true });
    const x = input(inputShape);
    const explainable = new ExplainableModel(model);
    const session = explainable.prepare(x);
    let deferred: ReturnType<typeof session.explain> | undefined;
    const reads = readsDuring(() => {
      deferred = session.explain({ rule: 'rlrp', trace: true });
    });
    // The pass after the checks reads once per checked step.
    expect(reads).toBeGreaterThan(1);
    const once = explainable.explain(x, { rule: 'rlrp' });
    const values = Array.from((deferred as NonNullable<typeof deferred>).relevance.dataSync());
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values.some((v) => v !== 0)).toBe(true);
    expect(values).toEqual(Array.from(once.relevance.dataSync()));
    // explainAndRead reruns as well, and its values are those of the rerun explanation.
    const { explanation, values: read } = session.explainAndRead({ rule: 'rlrp' }, (e) =>
      e.relevance.flatten(),
    );
    expect(Array.from(read)).toEqual(values);
    expect(Array.from(explanation.relevance.dataSync())).toEqual(values);
    explanation.dispose();
    deferred?.dispose();
    once.dispose();
    session.dispose();
    explainable.dispose();
    model.dispose();
    x.dispose();
  }

  it('reruns the pass with the checked steps, equal to them, when every sample fails', () => {
    expectRerunEqualsChecked(1e-12, (shape) => inputsOf(shape, 14));
  });

  it('reruns it for the whole batch when one sample fails', () => {
    // Ordinary kernels; sample 1 scaled by 1e-35, so that its masses underflow.
    expectRerunEqualsChecked(1, (shape) =>
      tf.tidy(() => inputsOf(shape, 15).mul(tf.tensor([1, 1e-35]).reshape([2, 1, 1, 1]))),
    );
  });
});
