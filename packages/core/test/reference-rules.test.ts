/**
 * Hand-checked tiny cases of every rule of the reference (numbers worked out on paper from the
 * formulas of docs/rules.md), and of its unrolled maps (TF 'same' padding, average pooling
 * over valid cells, first-on-ties max routing). If one of these fails, the reference is wrong.
 */
import {
  avgPoolMap,
  conv2dMap,
  depthwiseMap,
  explainSample,
  expectClose,
  gradientTimesInput,
  linearRelevance,
  matrixMap,
  networkOf,
  toDense,
  uniform,
  windowCells,
  type RefNode,
  type RefRule,
} from './reference';

// One Dense layer 2 → 2: z = W a + b with a = [1, 2].
//   W = [[1, −1], [2, 1]] (row = output k), b = [0.5, −1]  ⇒  z = [−0.5, 3]; relevance at z: R = [1, 2].
const W = [
  [1, -1],
  [2, 1],
];
const B = [0.5, -1];
const A = Float64Array.from([1, 2]);
const R = Float64Array.from([1, 2]);
const MAP = matrixMap(W, B);

function relevance(rule: RefRule): Float64Array {
  return linearRelevance(rule, MAP, A, R);
}

describe('hand-checked linear rules on a 2 → 2 Dense layer', () => {
  it('R-LRP: a ⊙ Wᵀ R = [5, 2], renormalised to ‖R‖₁ = 3 → [15/7, 6/7]', () => {
    expectClose('rlrp', relevance({ name: 'rlrp' }), [15 / 7, 6 / 7], 1e-12);
  });
  it('LRP-0: s = R / z = [−2, 2/3] → [1·(−2 + 4/3), 2·(2 + 2/3)] = [−2/3, 16/3]', () => {
    expectClose('lrp0', relevance({ name: 'lrp0' }), [-2 / 3, 16 / 3], 1e-12);
  });
  it('LRP-ε (ε = 0.5): denominators [−1, 3.5] → [1/7, 22/7]', () => {
    expectClose('epsilon', relevance({ name: 'epsilon', epsilon: 0.5 }), [1 / 7, 22 / 7], 1e-12);
  });
  it('LRP-ε: sign(0) = +1, so z = 0 divides by +ε', () => {
    const map = matrixMap([[1, -1]]);
    expectClose(
      'eps at z=0',
      linearRelevance(
        { name: 'epsilon', epsilon: 0.25 },
        map,
        Float64Array.from([2, 2]),
        Float64Array.from([1]),
      ),
      [8, -8],
      1e-12,
    );
  });
  it('LRP-γ classic (γ = 0.25): W′ = [[1.25, −1], [2.5, 1.25]], b′ = [0.625, −1], z′ = [−0.125, 4]', () => {
    const s0 = 1 / (-0.125 - 1e-6);
    const s1 = 2 / (4 + 1e-6);
    expectClose(
      'gamma classic',
      relevance({ name: 'gamma', gamma: 0.25, classic: true }),
      [1 * (1.25 * s0 + 2.5 * s1), 2 * (-1 * s0 + 1.25 * s1)],
      1e-12,
    );
  });
  it('LRP-γ generalised (γ = 0.25): z = [−0.5, 3]; output 0 favours w⁻ ([1, −1.25], b 0.5, d = −1), output 1 w⁺ ([2.5, 1.25], b −1, d = 4) → [0.25, 3.75]', () => {
    const s0 = 1 / (-1 - 1e-6);
    const s1 = 2 / (4 + 1e-6);
    expectClose(
      'gamma',
      relevance({ name: 'gamma', gamma: 0.25 }),
      [1 * (1 * s0 + 2.5 * s1), 2 * (-1.25 * s0 + 1.25 * s1)],
      1e-12,
    );
    expectClose('gamma rounded', relevance({ name: 'gamma', gamma: 0.25 }), [0.25, 3.75], 1e-5);
  });
  it('LRP-γ generalised with a negative input: a = [−1, 2], w = [−3, 1], b = 0.5 (z = 5.5): a⁻ sees w + γw⁻ = −3.75, a⁺ sees 1.25, bias 0.625 → 10·[3.75, 2.5]/6.875', () => {
    const map = matrixMap([[-3, 1]], [0.5]);
    const a = Float64Array.from([-1, 2]);
    const r = Float64Array.from([10]);
    const d = 6.875 + 1e-6;
    expectClose(
      'gamma negative input',
      linearRelevance({ name: 'gamma', gamma: 0.25 }, map, a, r),
      [(3.75 * 10) / d, (2.5 * 10) / d],
      1e-12,
    );
    // the classic form does not boost the negative weight that a negative input makes positive
    const classic = 3 + 2.5 + 0.625 + 1e-6;
    expectClose(
      'gamma classic negative input',
      linearRelevance({ name: 'gamma', gamma: 0.25, classic: true }, map, a, r),
      [(3 * 10) / classic, (2.5 * 10) / classic],
      1e-12,
    );
  });
  it('LRP-α2β1: P = [1 + 0.5, 4], N = [−2, −1 (bias only)] → [10/3, 1]', () => {
    expectClose('a2b1', relevance({ name: 'alphabeta', alpha: 2, beta: 1 }), [10 / 3, 1], 1e-5);
  });
  it('LRP-α1β0: → [2/3 + 1, 1] = [5/3, 1]', () => {
    expectClose('a1b0', relevance({ name: 'alphabeta', alpha: 1, beta: 0 }), [5 / 3, 1], 1e-5);
  });
  it('LRP-αβ with negative inputs: (a w)⁺ = a⁺w⁺ + a⁻w⁻ (a = [−1, 2], w = [−3, 1] → p = [3, 2])', () => {
    const map = matrixMap([[-3, 1]]);
    const got = linearRelevance(
      { name: 'alphabeta', alpha: 1, beta: 0 },
      map,
      Float64Array.from([-1, 2]),
      Float64Array.from([10]),
    );
    expectClose('a1b0 negative input', got, [6, 4], 1e-5);
  });
  it('z⁺ (zennit): b⁺ in the denominator, P = [1 + 0.5, 4] → [2/3 + 1, 1] = [5/3, 1] (= α1β0)', () => {
    expectClose('zplus', relevance({ name: 'zplus' }), [5 / 3, 1], 1e-5);
  });
  it('z⁺ without bias: P = [1, 4] → [1·1 + (2/4)·2, (2/4)·2] = [2, 1]', () => {
    expectClose('zplus no bias', relevance({ name: 'zplus', bias: false }), [2, 1], 1e-5);
  });
  it('zᴮ (l = −1, h = 2): q = [[2, 0], [4, 3]] → [1 + 8/7, 6/7] = [15/7, 6/7]', () => {
    expectClose('zbox', relevance({ name: 'zbox', low: -1, high: 2 }), [15 / 7, 6 / 7], 1e-5);
  });
  it('w² (zennit): Σw² + b² = [2.25, 6] → [1/2.25 + 4/6·2, 1/2.25 + 1/6·2] = [16/9, 7/9]', () => {
    expectClose('wsquare', relevance({ name: 'wsquare' }), [16 / 9, 7 / 9], 1e-5);
  });
  it('w² without bias: Σw² = [2, 5] → [1/2 + 4/5·2, 1/2 + 1/5·2] = [2.1, 0.9]', () => {
    expectClose('wsquare no bias', relevance({ name: 'wsquare', bias: false }), [2.1, 0.9], 1e-5);
  });
  it('Norm: a_j w_jk / (z_k + 1e-6·sign(z_k)) with the bias in z: as LRP-ε with ε = 1e-6', () => {
    expectClose(
      'norm',
      relevance({ name: 'norm' }),
      relevance({ name: 'epsilon', epsilon: 1e-6 }),
      1e-12,
    );
  });
  it('gradient (no rule): Wᵀ R = [1 + 4, −1 + 2] = [5, 1]', () => {
    expectClose('gradient', relevance({ name: 'gradient' }), [5, 1], 1e-12);
  });
  it('flat: N = [2, 2] → [1.5, 1.5]', () => {
    expectClose('flat', relevance({ name: 'flat' }), [1.5, 1.5], 1e-5);
  });
  it('R-LRP returns zeros when the incoming mass or the outgoing mass is 0 (vanished)', () => {
    expect([...linearRelevance({ name: 'rlrp' }, MAP, A, new Float64Array(2))]).toEqual([0, 0]);
    expect([...linearRelevance({ name: 'rlrp' }, MAP, new Float64Array(2), R)]).toEqual([0, 0]);
  });
  it('cancellation z = 0 with large contributions: LRP-0 is non-finite, R-LRP finite, ε finite', () => {
    const map = matrixMap([[1e6, -1e6]]);
    const a = Float64Array.from([3, 3]);
    const r = Float64Array.from([1]);
    expect(linearRelevance({ name: 'lrp0' }, map, a, r).every((v) => !Number.isFinite(v))).toBe(
      true,
    );
    expectClose('rlrp', linearRelevance({ name: 'rlrp' }, map, a, r), [0.5, -0.5], 1e-12);
    expect(
      linearRelevance({ name: 'epsilon', epsilon: 1e-6 }, map, a, r).every(Number.isFinite),
    ).toBe(true);
  });
});

describe('hand-checked unrolled maps (TensorFlow conventions)', () => {
  it("Conv2D 1×2 kernel 'same' on width 3: TF pads 0 before, 1 after", () => {
    const map = conv2dMap(Float64Array.from([5, 7]), null, [1, 3, 1], 1, {
      kernel: [1, 2],
      strides: [1, 1],
      dilation: [1, 1],
      padding: 'same',
    });
    expect(toDense(map)).toEqual([
      [5, 7, 0],
      [0, 5, 7],
      [0, 0, 5],
    ]);
  });
  it("Conv2D 1×3 stride 2 'same' on width 4: out 2, pad total 1 → 0 before", () => {
    const map = conv2dMap(Float64Array.from([1, 2, 3]), null, [1, 4, 1], 1, {
      kernel: [1, 3],
      strides: [1, 2],
      dilation: [1, 1],
      padding: 'same',
    });
    expect(toDense(map)).toEqual([
      [1, 2, 3, 0],
      [0, 0, 1, 2],
    ]);
  });
  it("Conv2D 1×2 dilation 2 'valid' on width 4: taps 2 apart", () => {
    const map = conv2dMap(Float64Array.from([1, 2]), Float64Array.from([0.5]), [1, 4, 1], 1, {
      kernel: [1, 2],
      strides: [1, 1],
      dilation: [1, 2],
      padding: 'valid',
    });
    expect(toDense(map)).toEqual([
      [1, 0, 2, 0],
      [0, 1, 0, 2],
    ]);
    expect([...map.bias]).toEqual([0.5, 0.5]);
  });
  it('DepthwiseConv2D 1×1, multiplier 2 on 2 channels: output channel c·2 + q reads channel c', () => {
    // kernel [1, 1, C=2, m=2] = [[k00, k01], [k10, k11]]
    const map = depthwiseMap(Float64Array.from([1, 2, 3, 4]), null, [1, 1, 2], 2, {
      kernel: [1, 1],
      strides: [1, 1],
      dilation: [1, 1],
      padding: 'valid',
    });
    expect(toDense(map)).toEqual([
      [1, 0],
      [2, 0],
      [0, 3],
      [0, 4],
    ]);
  });
  it("AveragePooling 1×2 stride 2 'same' on width 3: the padded window divides by its 1 valid cell", () => {
    const map = avgPoolMap([1, 3, 1], {
      kernel: [1, 2],
      strides: [1, 2],
      dilation: [1, 1],
      padding: 'same',
    });
    expect(toDense(map)).toEqual([
      [0.5, 0.5, 0],
      [0, 0, 1],
    ]);
  });
  it("MaxPooling 'same' windows exclude padded cells", () => {
    expect(
      windowCells([1, 3, 1], { kernel: [1, 2], strides: [1, 2], dilation: [1, 1], padding: 'same' })
        .cells,
    ).toEqual([[0, 1], [2]]);
  });
});

// A tiny graph: x(2) → dense(W, B, relu) → [identity skip? no] → dense([[1, 1]]) → logit.
function tinyNet(withAdd: boolean): ReturnType<typeof networkOf> {
  const nodes: RefNode[] = [
    { name: 'x', className: 'InputLayer', inputs: [], shape: [2], op: { kind: 'input' } },
    {
      name: 'h',
      className: 'Dense',
      inputs: ['x'],
      shape: [2],
      op: { kind: 'linear', map: MAP, activation: { name: 'relu' } },
    },
  ];
  if (withAdd) {
    // u1 = h, u2 = x + h·0 … use a second Dense producing [3, −1]-like values: v = [[0, 0], [0, 0]]a + [3, −1]
    nodes.push({
      name: 'v',
      className: 'Dense',
      inputs: ['x'],
      shape: [2],
      op: {
        kind: 'linear',
        map: matrixMap([
          [1, 0],
          [0, -1],
        ]),
        activation: { name: 'linear' },
      },
    });
    nodes.push({
      name: 'sum',
      className: 'Add',
      inputs: ['h', 'v'],
      shape: [2],
      op: { kind: 'add' },
    });
    nodes.push({
      name: 'out',
      className: 'Dense',
      inputs: ['sum'],
      shape: [1],
      op: { kind: 'linear', map: matrixMap([[1, 1]]), activation: { name: 'linear' } },
    });
  } else {
    nodes.push({
      name: 'out',
      className: 'Dense',
      inputs: ['h'],
      shape: [1],
      op: { kind: 'linear', map: matrixMap([[1, 1]]), activation: { name: 'linear' } },
    });
  }
  return networkOf(nodes);
}

describe('hand-checked whole-network cases', () => {
  it('start: R-LRP uses |f_target|, classical rules f_target', () => {
    // h = relu([−0.5, 3]) = [0, 3]; f = 3 − … use a negative last weight to get a negative logit
    const nodes = tinyNet(false).nodes.slice(0, 2);
    nodes.push({
      name: 'out',
      className: 'Dense',
      inputs: ['h'],
      shape: [1],
      op: { kind: 'linear', map: matrixMap([[1, -1]]), activation: { name: 'linear' } },
    });
    const net = networkOf(nodes);
    const rlrp = explainSample(net, A, uniform({ name: 'rlrp' }), 0);
    expect(rlrp.forward.logits[0]).toBe(-3);
    expect([...rlrp.relevance.get('out')!]).toEqual([3]);
    const lrp0 = explainSample(net, A, uniform({ name: 'lrp0' }), 0);
    expect([...lrp0.relevance.get('out')!]).toEqual([-3]);
  });
  it('Gradient×Input through ReLU: x ⊙ Wᵀ(relu′(z) ⊙ 1) = [1·2, 2·1]', () => {
    expectClose('gxi', gradientTimesInput(tinyNet(false), A, 0), [2, 2], 1e-12);
  });
  it('R-LRP Add split (u_i / y) ⊙ R_y, and y = 0 splits evenly', () => {
    // h = [0, 3], v = [1, −2], y = [1, 1]; f = 2, R_y = |f|·[1,1]/… via out (R-LRP renormalises to mass 2)
    const net = tinyNet(true);
    const e = explainSample(net, A, uniform({ name: 'rlrp' }), 0);
    // R at sum: a ⊙ Wᵀ R = [1, 1]·1·2 → [1, 1] after renormalising to 2 (mass 2).
    expectClose('R_sum', e.relevance.get('sum')!, [1, 1], 1e-12);
    const [shareH, shareV] = e.addShares.get('sum')!;
    expectClose('share h', shareH, [0, 3], 1e-12);
    expectClose('share v', shareV, [1, -2], 1e-12);
    // y = 0 with R_y ≠ 0: end the net at the Add and start from an explicit output relevance [1, 1].
    // x = [0, 0]: h = relu(b) = [0.5, 0], v = [0, 0], y = [0.5, 0] → index 1 splits evenly (1/2 each).
    const atAdd = networkOf(net.nodes.filter((n) => n.name !== 'out'));
    const zero = explainSample(atAdd, Float64Array.from([0, 0]), uniform({ name: 'rlrp' }), {
      outputRelevance: [1, 1],
    });
    const [zh, zv] = zero.addShares.get('sum')!;
    expect([...zh]).toEqual([1, 0.5]);
    expect([...zv]).toEqual([0, 0.5]);
  });
  it('classical Add: u_i / (y + ε·sign(y)) · R_y with the rule’s ε', () => {
    const net = tinyNet(true);
    const e = explainSample(net, A, uniform({ name: 'epsilon', epsilon: 0.5 }), 0);
    const rSum = e.relevance.get('sum')!;
    const [shareH, shareV] = e.addShares.get('sum')!;
    expectClose('eps share h', shareH, [0, (3 / 1.5) * rSum[1]], 1e-12);
    expectClose('eps share v', shareV, [(1 / 1.5) * rSum[0], (-2 / 1.5) * rSum[1]], 1e-12);
  });
  it('max-pool routing: first on ties', () => {
    const nodes: RefNode[] = [
      { name: 'x', className: 'InputLayer', inputs: [], shape: [3], op: { kind: 'input' } },
      {
        name: 'mp',
        className: 'GlobalMaxPooling2D',
        inputs: ['x'],
        shape: [1],
        op: { kind: 'maxpool', windows: [Int32Array.from([0, 1, 2])] },
      },
    ];
    const e = explainSample(
      networkOf(nodes),
      Float64Array.from([1, 4, 4]),
      uniform({ name: 'rlrp' }),
      0,
    );
    expect([...e.input]).toEqual([0, 4, 0]);
  });
});
