/**
 * A deterministic made-up trace (no engine involved) shaped like a small CNN on 28×28 inputs,
 * for tests of the drawing code alone.
 */
import type { KernelImage, KernelLayer } from '../../../widgets/src/fallback/fallback-figure';

function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

function layer(name: string, className: string, shape: number[], seed: number): KernelLayer {
  const random = lcg(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = random();
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
  const data = new Float32Array(28 * 28);
  for (let y = 8; y < 20; y++) for (let x = 10; x < 18; x++) data[y * 28 + x] = 1;
  return { shape: [28, 28, 1], data, range: [0, 1] };
}
