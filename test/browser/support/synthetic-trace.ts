/**
 * A deterministic made-up trace (no engine involved) shaped like a small CNN on 28×28 inputs, in
 * the form the explorer's state carries (spatial layers as channel sums), for tests of the
 * drawing code alone.
 */
import type { ExplorerWireState } from '../../../widgets/src/relevance-explorer';
import type { KernelImage, KernelLayer } from '../../../widgets/src/kernel/tensors';
import { quantiseToBytes } from '../../../widgets/src/quantise';
import { ruleOptions } from '../../../widgets/src/kernel/rule-labels';

function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

function layer(name: string, className: string, shape: number[], seed: number): KernelLayer {
  const random = lcg(seed);
  const drawn = shape.length === 3 ? shape[0] * shape[1] : shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(drawn);
  for (let i = 0; i < drawn; i++) data[i] = random();
  let sum = 0;
  let mass = 0;
  for (const v of data) {
    sum += v;
    mass += Math.abs(v);
  }
  return { name, class_name: className, shape, data, sum, mass, vanished: false };
}

/** Output layer first, input last. */
export function syntheticTrace(seed = 1): KernelLayer[] {
  return [
    layer('logits', 'Dense', [10], seed),
    layer('dense_1', 'Dense', [32], seed + 1),
    layer('flatten', 'Flatten', [7 * 7 * 8], seed + 2),
    layer('conv_2', 'Conv2D', [7, 7, 8], seed + 3),
    layer('conv_1', 'Conv2D', [14, 14, 4], seed + 4),
    layer('input', 'InputLayer', [28, 28, 1], seed + 5),
  ];
}

/** A 28×28 grey input with a bright square. */
export function syntheticInput(): KernelImage {
  const values = new Float32Array(28 * 28);
  for (let y = 8; y < 20; y++) for (let x = 10; x < 18; x++) values[y * 28 + x] = 1;
  return { shape: [28, 28, 1], data: quantiseToBytes(values, [0, 1]), range: [0, 1] };
}

/** A complete explorer state over the synthetic trace (ten classes, class 3 most probable). */
export function syntheticExplorerState(): ExplorerWireState {
  const probabilities = [0.02, 0.05, 0.1, 0.5, 0.03, 0.04, 0.06, 0.07, 0.08, 0.05];
  return {
    kind: 'relevance-explorer',
    title: 'synthetic CNN',
    input: syntheticInput(),
    layers: syntheticTrace(),
    rule: 'epsilon',
    rule_description: 'LRP-ε (ε = 0.000001)',
    rules: ruleOptions(['rlrp', 'lrp0', 'epsilon']),
    target: 3,
    classes: probabilities
      .map((probability, index) => ({ index, probability, label: `digit ${index}` }))
      .sort((a, b) => b.probability - a.probability),
    colormap: 'bwr',
    overlay: false,
    overlay_opacity: 0.6,
    busy: false,
    error: '',
    generation: 1,
    request_id: 0,
    backward_ms: 1,
  };
}
