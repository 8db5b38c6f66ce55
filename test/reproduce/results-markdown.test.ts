/**
 * docs/results.md states intervals and verdicts from the per-image outcomes it is given: a synthetic
 * run whose numbers are worked out by hand.
 */
import { KEEP_TOP_K_PERCENTS, type MethodEvaluation } from '@rlrp/core';
import { COMPARED_METHODS } from '../../src/reproduce/methods';
import {
  resultsMarkdown,
  rlrpStanding,
  type ModelResult,
} from '../../src/reproduce/results-markdown';

const N = 40;
const method = (id: string) => COMPARED_METHODS.find((m) => m.id === id)!;

/** An evaluation right on the images listed by `right` at every k. */
function evaluation(name: string, right: (i: number) => boolean): MethodEvaluation {
  const correct = KEEP_TOP_K_PERCENTS.map(() =>
    Uint8Array.from({ length: N }, (_, i) => +right(i)),
  );
  const curve = (mode: 'deletion' | 'insertion') => ({
    mode,
    fractions: [0, 1],
    meanScore: [1, 0],
    auc: 0.5,
    aopc: 0.5,
    samples: N,
  });
  return {
    name,
    keepTopK: {
      percents: KEEP_TOP_K_PERCENTS,
      pixelsKept: KEEP_TOP_K_PERCENTS.map((k) => Math.round((k / 100) * 784)),
      accuracy: correct.map((c) => c.reduce((a, b) => a + b, 0) / N),
      correct,
      samples: N,
    },
    deletion: curve('deletion'),
    insertion: curve('insertion'),
    nonFinite: 0,
    deletionAopcVsRandom: 0,
    insertionAopcVsRandom: 0,
  };
}

function modelResult(others: [string, (i: number) => boolean][]): ModelResult {
  return {
    model: { id: 'mnist-cnn', dataset: 'mnist', architecture: 'cnn', dir: 'models/mnist-cnn' },
    start: 100,
    samples: N,
    subsetAccuracy: 1,
    methods: [
      { method: method('rlrp'), evaluation: evaluation('rlrp', (i) => i < 30) },
      ...others.map(([id, right]) => ({ method: method(id), evaluation: evaluation(id, right) })),
    ],
    robustness: new Map(),
    robustnessSamples: 10,
    seconds: 1,
    keepTopKPlot: 'results/k.png',
    deletionPlot: 'results/d.png',
  };
}

const run = {
  command: 'npm run reproduce -- --images 100:140',
  date: '2026-12-01 12:00 UTC',
  backend: 'wasm',
  start: 100,
  end: 140,
  robustnessLimit: 10,
  steps: 16,
  baseline: 'zero' as const,
  totalSeconds: 1,
};

describe('resultsMarkdown', () => {
  it('prints every keep-top-k cell with its 95 % Wilson interval and names the slice', () => {
    // 30/40: Wilson 95 % [0.5981, 0.8581] (centre (0.75 + z²/80)/(1 + z²/40)).
    const markdown = resultsMarkdown([modelResult([['eps', (i) => i < 30]])], run);
    expect(markdown).toContain('75.0 (59.8–85.8)');
    expect(markdown).toContain('images 100…139 (`--images 100:140`)');
    expect(markdown).toContain('40 test images (100…139)');
    expect(markdown).toMatch(/Wilson score interval/);
    expect(markdown).toMatch(/Holm-adjusted over its comparisons \(family-wise α = 0.05 per model/);
  });

  it('"not first" only when a method is significantly better (only it right on 10 images: p = 2/2¹⁰)', () => {
    const result = modelResult([
      ['gxi', (i) => i < 40], // right on all 40: only-this-method 10, only-R-LRP 0
      ['eps', (i) => i < 30], // identical to R-LRP: p = 1
    ]);
    const standing = rlrpStanding(result);
    expect(standing?.standing).toBe('not first');
    expect(standing?.comparisons[0]).toMatchObject({ referenceOnly: 0, methodOnly: 10 });
    const markdown = resultsMarkdown([result], run);
    // Holm: 2 · 2/1024 = 0.00391
    expect(markdown).toMatch(
      /\| Gradient×Input \| 100\.0 \| 0 \| 10 \| 0\.00195 \| 0\.00391 \| worse \|/,
    );
    expect(markdown).toContain(
      'R-LRP is **not first** at 15 %: significantly worse than Gradient×Input',
    );
    expect(markdown).toContain(
      'R-LRP is first on 0, not first on 1 and indistinguishable on 0 of 1 models',
    );
  });

  it('"indistinguishable" when a higher point estimate is not significant; "first" when every test is', () => {
    const close = modelResult([['eps', (i) => i < 32]]); // 2 more right: p = 0.5
    expect(resultsMarkdown([close], run)).toContain(
      'R-LRP is **indistinguishable** from LRP-ε (ε = 1e-6) at 15 % (no method significantly better)',
    );
    const clear = modelResult([['random', (i) => i < 20]]); // R-LRP alone right on 10: p = 0.00195
    expect(rlrpStanding(clear)?.standing).toBe('first');
    expect(resultsMarkdown([clear], run)).toContain('R-LRP is **first** at 15 %');
  });
});
