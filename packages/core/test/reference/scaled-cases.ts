/**
 * Random networks at every float32 scale, for the finiteness properties (P4) and `npm run fuzz`:
 * inputs and kernels from 1e-38 to 1e38, denormal inputs, exact zeros, all-zero inputs, and dead
 * channels (all-zero kernel and bias, so pooling windows read only zeros). A case is plain data, so
 * fast-check can shrink it and a failing one can be rebuilt from what the fuzz command prints.
 */
import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from './random';
import { setLayerWeights } from './set-layer-weights';
import { RANDOM_NETWORK_NAMES, randomNetwork, type RandomNetwork } from './random-networks';

/** How the input values of a case are drawn. */
export type ScaledInputKind =
  /** U(−s, s). */
  | 'uniform'
  /** U(−s, s) with about 30 % denormals (below 1.18e-38) and 20 % exact zeros mixed in. */
  | 'denormal-mix'
  /** Every value a denormal, 1e-45 … 1e-38, of either sign. */
  | 'denormal'
  /** Every value 0. */
  | 'zeros'
  /** Every value s. */
  | 'constant'
  /** 80 % exact zeros, the rest U(−s, s). */
  | 'sparse';

/** Everything that makes one case, reproducible from these numbers alone. */
export interface ScaledCase {
  /** The random network family (random-networks.ts). */
  readonly network: string;
  readonly seed: number;
  /** log10 of the input scale s. */
  readonly inputExponent: number;
  readonly inputKind: ScaledInputKind;
  /** log10 of the factor every kernel is multiplied by. */
  readonly weightExponent: number;
  /** Half-width of log10 of an extra per-layer kernel factor (0: none). */
  readonly layerSpread: number;
  /** Zero the kernel and bias of about half the channels of every layer but the last. */
  readonly deadChannels: boolean;
}

/** Input kinds of the mixture, in the order `scaledCaseOf` draws them. */
export const SCALED_INPUT_KINDS: readonly ScaledInputKind[] = [
  'uniform',
  'denormal-mix',
  'denormal',
  'zeros',
  'constant',
  'sparse',
];

/**
 * Draws one case from a mixture of regimes: ordinary weights with denormal inputs, extreme inputs,
 * extreme weights (globally and per layer), and the special inputs, each about equally often.
 */
export function scaledCaseOf(seed: number): ScaledCase {
  const rng = new SeededRandom(seed ^ 0x2545f491);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng.next() * items.length)];
  const regime = pick(['ordinary', 'extreme-input', 'extreme-weights', 'per-layer'] as const);
  const wide = () => rng.uniform(-38, 38);
  return {
    network: pick(RANDOM_NETWORK_NAMES),
    seed: Math.floor(rng.next() * 1_000_000) + 1,
    inputExponent: regime === 'ordinary' ? rng.uniform(-3, 3) : wide(),
    inputKind: regime === 'ordinary' ? pick(['denormal-mix', 'sparse']) : pick(SCALED_INPUT_KINDS),
    weightExponent:
      regime === 'extreme-weights' ? wide() : regime === 'per-layer' ? rng.uniform(-3, 3) : 0,
    layerSpread: regime === 'per-layer' ? pick([3, 12, 38]) : 0,
    deadChannels: rng.next() < 0.25,
  };
}

/** A short label of a case for messages and JSON lines. */
export function describeScaledCase(c: ScaledCase): string {
  const e = (x: number) => x.toFixed(1);
  return (
    `${c.network} seed ${c.seed}, input ${c.inputKind}×1e${e(c.inputExponent)}, ` +
    `kernels ×1e${e(c.weightExponent)}±${c.layerSpread}${c.deadChannels ? ', dead channels' : ''}`
  );
}

function inputValue(kind: ScaledInputKind, scale: number, rng: SeededRandom): number {
  const sign = rng.next() < 0.5 ? -1 : 1;
  const denormal = () => sign * 10 ** rng.uniform(-45, -38);
  switch (kind) {
    case 'zeros':
      return 0;
    case 'constant':
      return scale;
    case 'denormal':
      return denormal();
    case 'sparse':
      return rng.next() < 0.8 ? 0 : rng.uniform(-scale, scale);
    case 'denormal-mix': {
      const u = rng.next();
      return u < 0.3 ? denormal() : u < 0.5 ? 0 : rng.uniform(-scale, scale);
    }
    default:
      return rng.uniform(-scale, scale);
  }
}

/** Per-sample flat inputs of a case, float32 (values below float32's range round to ±0). */
export function scaledInputs(c: ScaledCase, inputShape: readonly number[], batch: number) {
  const rng = new SeededRandom(c.seed ^ 0x68e31da4);
  const n = inputShape.reduce((p, d) => p * d, 1);
  const scale = 10 ** c.inputExponent;
  return Array.from({ length: batch }, () =>
    Float32Array.from({ length: n }, () => inputValue(c.inputKind, scale, rng)),
  );
}

/** Multiplies each layer's kernel by 10^U(−spread, spread) and zeroes dead channels. */
function perturbLayers(model: tf.LayersModel, c: ScaledCase): void {
  const rng = new SeededRandom(c.seed ^ 0x1b873593);
  const weighted = model.layers.filter((l) => l.weights.some((w) => w.name.endsWith('kernel')));
  weighted.forEach((layer, index) => {
    const factor = c.layerSpread > 0 ? 10 ** rng.uniform(-c.layerSpread, c.layerSpread) : 1;
    const kill = c.deadChannels && index < weighted.length - 1;
    const values = layer.getWeights().map((w, i) => {
      const name = layer.weights[i].name;
      const isKernel = name.endsWith('kernel');
      const isBias = name.endsWith('bias');
      if (!isKernel && !isBias) return w.clone();
      const channels = w.shape[w.shape.length - 1] ?? 1;
      const data = w.dataSync().slice() as Float32Array;
      for (let j = 0; j < data.length; j++) {
        // Even channels die: every weight into them and their bias become exact zeros.
        if (kill && (j % channels) % 2 === 0) data[j] = 0;
        else if (isKernel) data[j] *= factor;
      }
      return tf.tensor(data, w.shape);
    });
    setLayerWeights(layer, values);
  });
}

/** A built case: its network (with the perturbed weights), its samples and their batch tensor. */
export interface BuiltScaledCase {
  readonly net: RandomNetwork;
  readonly samples: Float32Array[];
  readonly input: tf.Tensor;
  dispose(): void;
}

/** Builds a case's model and a batch of `batch` inputs. */
export function buildScaledCase(c: ScaledCase, batch = 2): BuiltScaledCase {
  const net = randomNetwork(c.network, c.seed, { weightScale: 10 ** c.weightExponent });
  perturbLayers(net.model, c);
  const samples = scaledInputs(c, net.inputShape, batch);
  const flat = new Float32Array(samples.reduce((s, x) => s + x.length, 0));
  samples.forEach((x, i) => flat.set(x, i * x.length));
  const input = tf.tensor(flat, [batch, ...net.inputShape]);
  return {
    net,
    samples,
    input,
    dispose: () => {
      input.dispose();
      net.model.dispose();
    },
  };
}
