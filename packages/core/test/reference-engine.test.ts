/**
 * The engine against the independent reference: every rule, configured rule, preset and a custom
 * composite on every random network (Sequential and functional, every supported layer kind), a batch
 * of 2 inputs, BatchNorm folded and unfolded. Tolerance: |engine − reference| ≤ rel·max|reference|
 * (+1e-7), per sample, rel = 1e-4 — widened to 16·2⁻²⁴·conditioning only where the reference's own
 * conditioning (Σ over steps of Σ|terms| / |denominator|) says float32 cannot reach 1e-4. Where the
 * reference is non-finite (LRP-0 at an exact zero), the engine must be non-finite there too.
 */
import * as tf from '@tensorflow/tfjs';
import { customCase, RULE_CASES, type RuleCase } from './reference/engine-cases';
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
  closeness,
  closenessAllowingNaNSpread,
  describeCloseness,
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

      const cases = (): RuleCase[] => [...RULE_CASES, customCase(lastLinearName(fixture))];
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
    });
  }
}
