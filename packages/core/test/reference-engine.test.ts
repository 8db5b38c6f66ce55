/**
 * The engine against the independent reference: every rule, configured rule, preset and a custom
 * composite on every random network (Sequential and functional, every supported layer kind), a batch
 * of 2 inputs, BatchNorm folded and unfolded. Tolerance: |engine − reference| ≤ rel·max|reference|
 * (+1e-7), per sample, rel = 1e-4 — widened to 16·2⁻²⁴·conditioning only where the reference's own
 * conditioning (Σ over steps of Σ|terms| / |denominator|) says float32 cannot reach 1e-4. Where the
 * reference is non-finite (LRP-0 at an exact zero), the engine must be non-finite there too.
 */
import * as tf from '@tensorflow/tfjs';
import { epsilonGammaBox, explain, releaseExplainCache } from '@rlrp/core';
import {
  customCase,
  firstOf,
  indexCase,
  nonWeightedRule,
  RULE_CASES,
  WEIGHTED,
  type RuleCase,
} from './reference/engine-cases';
import { explainWithTrace } from './reference/engine-trace';
import {
  engineRelevance,
  makeFixture,
  perSample,
  referenceRelevance,
  relativeTolerance,
  type Fixture,
} from './reference/engine-harness';
import {
  RANDOM_NETWORK_NAMES,
  SeededRandom,
  argmaxOf,
  closeness,
  explainSample,
  l1,
  closenessAllowingNaNSpread,
  describeCloseness,
  describeModel,
  gradientTimesInput,
  gradientTrace,
  forward,
} from './reference';

const BATCH = 2;
const REL = 1e-4;
const ABS = 1e-7;
const WITH_BATCH_NORM = new Set([
  'mlp',
  'conv-strided',
  'dilated-depthwise',
  'pad-crop',
  'residual-projection',
]);

function lastLinearName(fixture: Fixture): string {
  const linear = fixture.ref.nodes.filter((n) => n.op.kind === 'linear');
  return linear[linear.length - 1].name;
}

for (const name of RANDOM_NETWORK_NAMES) {
  for (const fold of WITH_BATCH_NORM.has(name) ? [true, false] : [true]) {
    describe(`engine vs reference: ${name}${WITH_BATCH_NORM.has(name) ? (fold ? ' (BN folded)' : ' (BN unfolded)') : ''}`, () => {
      let fixture: Fixture;
      let tensorsBefore = 0;
      let targets: number[] = [];
      beforeAll(() => {
        tensorsBefore = tf.memory().numTensors;
        fixture = makeFixture(name, 11, BATCH, fold);
        const classes = fixture.session.logits.shape[1];
        targets = [0, classes - 1];
      });
      afterAll(() => {
        fixture.dispose();
        expect(tf.memory().numTensors).toBe(tensorsBefore);
      });

      it('logits equal the reference forward pass (pre-softmax)', () => {
        const logits = perSample(fixture.session.logits);
        fixture.samples.forEach((x, b) => {
          const c = closeness(logits[b], forward(fixture.ref, x).logits, 1e-5, 1e-6);
          expect(c.ok ? 'ok' : describeCloseness(`logits sample ${b}`, c)).toBe('ok');
        });
      });

      const cases = (): RuleCase[] => [
        ...RULE_CASES,
        customCase(
          lastLinearName(fixture),
          fixture.ref.nodes.some((n) => n.op.kind === 'add'),
        ),
      ];
      for (const index of [...RULE_CASES.keys(), RULE_CASES.length]) {
        it(`rule case ${index < RULE_CASES.length ? RULE_CASES[index].label : 'custom composite'}`, () => {
          const ruleCase = cases()[index];
          const got = engineRelevance(fixture, ruleCase, targets);
          const expected = referenceRelevance(fixture, ruleCase, targets);
          const problems = got
            .map((g, b) => {
              const rel = relativeTolerance(expected[b].conditioning, REL);
              const ref = expected[b].relevance;
              const c = ref.every(Number.isFinite)
                ? closeness(g, ref, rel, ABS)
                : closenessAllowingNaNSpread(g, ref, rel, ABS);
              return { b, rel, c };
            })
            .filter(({ c }) => !c.ok)
            .map(({ b, rel, c }) =>
              describeCloseness(
                `${name} ${ruleCase.label} sample ${b} (target ${targets[b]}, rel tol ${rel.toExponential(1)}, ` +
                  `conditioning ${expected[b].conditioning.toExponential(2)})`,
                c,
              ),
            );
          expect(problems).toEqual([]);
        });
      }

      it('composite by layer index', () => {
        const second = fixture.ref.nodes.filter((n) => n.op.kind === 'linear')[1];
        const index = fixture.net.model.layers.findIndex((l) => l.name === second.name);
        const ruleCase = indexCase(index, second.name);
        const got = engineRelevance(fixture, ruleCase, targets);
        const expected = referenceRelevance(fixture, ruleCase, targets);
        got.forEach((g, b) => {
          const c = closeness(
            g,
            expected[b].relevance,
            relativeTolerance(expected[b].conditioning),
            ABS,
          );
          expect(c.ok ? 'ok' : describeCloseness(`${ruleCase.label} sample ${b}`, c)).toBe('ok');
        });
      });

      it("targets: 'predicted' is the reference arg-max; an explicit output relevance replaces the start", () => {
        const predicted = fixture.samples.map((x) => argmaxOf(forward(fixture.ref, x).logits));
        expect([...fixture.session.predicted]).toEqual(predicted);
        const classes = fixture.session.logits.shape[1];
        const start = fixture.samples.map((_, b) =>
          Array.from({ length: classes }, (_, k) => (k === b % classes ? 1.5 : -0.5 * (k % 2))),
        );
        for (const rule of ['rlrp', 'epsilon'] as const) {
          const e = fixture.session.explain({ rule, target: { outputRelevance: start } });
          expect([...e.target]).toEqual(start.map(() => -1));
          const got = perSample(e.relevance);
          e.dispose();
          fixture.samples.forEach((x, b) => {
            const ref = explainSample(
              fixture.ref,
              x,
              (node) =>
                rule === 'rlrp'
                  ? { name: 'rlrp' }
                  : WEIGHTED.has(node.className)
                    ? { name: 'epsilon', epsilon: 1e-6 }
                    : nonWeightedRule(node),
              { outputRelevance: start[b] },
            );
            const c = closeness(got[b], ref.input, relativeTolerance(ref.conditioning), ABS);
            expect(
              c.ok ? 'ok' : describeCloseness(`${rule} explicit output relevance sample ${b}`, c),
            ).toBe('ok');
          });
        }
      });

      it('trace: backward order, names, classes, shapes, masses and every layer’s relevance for every rule (Gradient×Input: a ⊙ ∂f/∂a)', () => {
        const problems: string[] = [];
        for (const ruleCase of RULE_CASES) {
          const e = explainWithTrace(fixture, ruleCase.choice(), targets);
          if (e.layers[0]?.name !== fixture.ref.output)
            problems.push(
              `${ruleCase.label}: trace starts at ${e.layers[0]?.name}, not ${fixture.ref.output}`,
            );
          if (e.layers[e.layers.length - 1]?.className !== 'InputLayer')
            problems.push(`${ruleCase.label}: trace does not end at the input`);
          const nodes = new Map(fixture.ref.nodes.map((n) => [n.name, n]));
          const traced = new Set(e.layers.map((l) => l.name));
          for (const n of fixture.ref.nodes)
            if (!traced.has(n.name))
              problems.push(`${ruleCase.label}: ${n.name} missing from the trace`);
          const position = new Map(fixture.ref.nodes.map((n, i) => [n.name, i]));
          for (let i = 1; i < e.layers.length; i++) {
            if (
              (position.get(e.layers[i].name) ?? -1) > (position.get(e.layers[i - 1].name) ?? -1)
            ) {
              problems.push(
                `${ruleCase.label}: ${e.layers[i].name} comes after ${e.layers[i - 1].name} although it feeds it`,
              );
            }
          }
          fixture.samples.forEach((x, b) => {
            const reference = ruleCase.reference;
            const ref =
              reference === 'gradient'
                ? { relevance: gradientTrace(fixture.ref, x, targets[b]), conditioning: 0 }
                : explainSample(fixture.ref, x, reference(fixture.ref), targets[b]);
            const tol = relativeTolerance(ref.conditioning);
            for (const layer of e.layers) {
              const node = nodes.get(layer.name);
              if (!node) {
                problems.push(
                  `${ruleCase.label}: trace layer ${layer.name} is not a layer of the model`,
                );
                continue;
              }
              if (layer.className !== node.className)
                problems.push(`${layer.name}: class ${layer.className} vs ${node.className}`);
              if (layer.outputShape.join('x') !== node.shape.join('x'))
                problems.push(`${layer.name}: shape ${layer.outputShape} vs ${node.shape}`);
              const expected = ref.relevance.get(layer.name);
              if (!expected) continue;
              const got = layer.relevance[b];
              const c = expected.every(Number.isFinite)
                ? closeness(got, expected, tol, ABS)
                : closenessAllowingNaNSpread(got, expected, tol, ABS);
              if (!c.ok)
                problems.push(
                  describeCloseness(`${ruleCase.label} sample ${b} layer ${layer.name}`, c),
                );
              if (
                got.every(Number.isFinite) &&
                Math.abs(layer.mass[b] - l1(got)) > 1e-5 * Math.max(1, l1(got))
              ) {
                problems.push(
                  `${ruleCase.label} ${layer.name}: mass ${layer.mass[b]} but Σ|R| = ${l1(got)}`,
                );
              }
            }
          });
        }
        expect(problems).toEqual([]);
      });
    });
  }
}

describe('max-pool routing on windows whose maximum is ≤ 0, and ties (first wins)', () => {
  // tfjs-backend-wasm 4.22's MaxPoolGrad routes all-negative and all-zero windows wrongly (measured:
  // grad of maxPool over [−3, −1 | −2, −5] gives [1, 0, 0, 0] on wasm, [0, 1, 1, 0] on cpu), so an
  // engine that leans on it fails here on wasm.
  it.each(['rlrp', 'epsilon', 'gradient-x-input'] as const)('%s equals the reference', (rule) => {
    const before = tf.memory().numTensors;
    const model = tf.sequential({
      layers: [
        tf.layers.maxPooling2d({ inputShape: [2, 6, 1], poolSize: [1, 2] }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2 }),
      ],
    });
    const kernel = tf.tensor2d([0.5, -1, 2, 1, -0.7, 0.3, 1.1, -2, 0.4, 0.9, -1.3, 0.6], [6, 2]);
    const bias = tf.tensor1d([0.1, -0.2]);
    model.layers[2].setWeights([kernel, bias]);
    tf.dispose([kernel, bias]);
    // windows: [−3, −1], [−2, −5], [0, 0], [−1, −1] (tie), [2, 2] (tie), [−0.5, 0.25]
    const values = [-3, -1, -2, -5, 0, 0, -1, -1, 2, 2, -0.5, 0.25];
    const x = tf.tensor4d([...values, ...values.map((v) => -v)], [2, 2, 6, 1]);
    const net = describeModel(model);
    const samples = perSample(x);
    const e = explain(model, x, { rule, target: [0, 1] });
    const got = perSample(e.relevance);
    e.dispose();
    got.forEach((g, b) => {
      const expected =
        rule === 'gradient-x-input'
          ? gradientTimesInput(net, samples[b], b)
          : explainSample(
              net,
              samples[b],
              () => (rule === 'rlrp' ? { name: 'rlrp' } : { name: 'epsilon', epsilon: 1e-6 }),
              b,
            ).input;
      const c = closeness(g, expected, 1e-4, 1e-7);
      expect(c.ok ? 'ok' : describeCloseness(`${rule} sample ${b}`, c)).toBe('ok');
    });
    x.dispose();
    model.dispose();
    releaseExplainCache(); // what one-shot explain() keeps for the model
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('zᴮ with per-pixel bounds (tensors shaped like one input sample)', () => {
  it.each(['mlp', 'conv-strided', 'concat'])(
    '%s: epsilonGammaBox({ low, high }) equals the reference',
    (name) => {
      const before = tf.memory().numTensors;
      const fixture = makeFixture(name, 12, BATCH, true);
      const size = fixture.samples[0].length;
      const rng = new SeededRandom(99);
      const low = Float32Array.from({ length: size }, () => rng.uniform(-1.2, -0.8));
      const high = Float32Array.from({ length: size }, () => rng.uniform(0.8, 1.2));
      const lowT = tf.tensor(low, [...fixture.net.inputShape]);
      const highT = tf.tensor(high, [...fixture.net.inputShape]);
      try {
        const targets = [1, 0];
        const ruleCase: RuleCase = {
          label: 'epsilonGammaBox(per-pixel bounds)',
          choice: () => epsilonGammaBox({ low: lowT, high: highT }),
          reference: (net) => {
            const first = firstOf(net, new Set(['Conv2D', 'DepthwiseConv2D']));
            return (node) => {
              if (node.name === first)
                return { name: 'zbox', low: Float64Array.from(low), high: Float64Array.from(high) };
              if (node.className === 'Conv2D' || node.className === 'DepthwiseConv2D')
                return { name: 'gamma', gamma: 0.25 };
              if (node.className === 'Dense') return { name: 'epsilon', epsilon: 1e-6 };
              return nonWeightedRule(node);
            };
          },
        };
        const got = engineRelevance(fixture, ruleCase, targets);
        const expected = referenceRelevance(fixture, ruleCase, targets);
        got.forEach((g, b) => {
          const c = closeness(
            g,
            expected[b].relevance,
            relativeTolerance(expected[b].conditioning),
            ABS,
          );
          expect(c.ok ? 'ok' : describeCloseness(`${name} sample ${b}`, c)).toBe('ok');
        });
      } finally {
        tf.dispose([lowT, highT]);
        fixture.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});
