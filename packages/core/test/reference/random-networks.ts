/**
 * Seeded random small networks covering every layer kind the engine supports, built as real
 * tf.LayersModel (Sequential and functional) with random weights, including BatchNorm with
 * non-trivial moving statistics. Sizes are tiny (about 6×6×2 inputs) so the reference stays fast.
 */
import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from './random';
import { setLayerWeights } from './set-layer-weights';

/** A random network and what it covers. */
export interface RandomNetwork {
  readonly name: string;
  readonly model: tf.LayersModel;
  /** Input shape without the batch axis. */
  readonly inputShape: readonly number[];
  /** Layer kinds / features exercised (for test titles and the coverage check). */
  readonly covers: readonly string[];
}

/** Options of the generator. */
export interface RandomNetworkOptions {
  /** Zero every bias, BN β and BN moving mean (the net becomes positively homogeneous with ReLU). */
  readonly biasFree?: boolean;
  /** Multiplies every kernel (default 1), to probe very small and very large weights. */
  readonly weightScale?: number;
}

/**
 * Overwrites every weight of the model with seeded random values: kernels U(±√(3/fan-in)·1.2),
 * biases U(±0.3), BN γ∈[0.5,1.5), β∈[−0.5,0.5), mean∈[−0.5,0.5), variance∈[0.5,2).
 */
export function randomizeWeights(
  model: tf.LayersModel,
  seed: number,
  options: RandomNetworkOptions = {},
): void {
  const rng = new SeededRandom(seed);
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values = layer.weights.map((variable) => {
      const shape = variable.shape.map(Number);
      const n = shape.reduce((p, d) => p * d, 1);
      const kind = variable.originalName.split('/').pop() ?? '';
      let data: Float32Array;
      if (kind === 'kernel' || kind === 'depthwise_kernel') {
        const fanIn = n / shape[shape.length - 1];
        const bound = 1.2 * Math.sqrt(3 / fanIn);
        const scale = options.weightScale ?? 1;
        data = rng.floats(n, -bound * scale, bound * scale);
      } else if (kind === 'gamma') data = rng.floats(n, 0.5, 1.5);
      else if (kind === 'moving_variance') data = rng.floats(n, 0.5, 2);
      else if (kind === 'beta' || kind === 'moving_mean')
        data = options.biasFree ? new Float32Array(n) : rng.floats(n, -0.5, 0.5);
      else if (kind === 'bias')
        data = options.biasFree ? new Float32Array(n) : rng.floats(n, -0.3, 0.3);
      else throw new Error(`random-networks: unknown weight ${variable.originalName}`);
      return tf.tensor(data, shape);
    });
    setLayerWeights(layer, values);
  }
}

type Factory = () => Omit<RandomNetwork, 'name'>;

const L = tf.layers;

const FACTORIES: Record<string, Factory> = {
  /** Dense MLP: Dropout, Dense→BN fold, LeakyReLU, ELU, standalone BN, Dense softmax. */
  mlp: () => ({
    inputShape: [7],
    covers: [
      'Dense',
      'Dropout',
      'BatchNormalization(folded)',
      'BatchNormalization(standalone)',
      'LeakyReLU',
      'elu',
      'softmax(activation)',
    ],
    model: tf.sequential({
      layers: [
        L.dense({ inputShape: [7], units: 8, activation: 'relu' }),
        L.dropout({ rate: 0.3 }),
        L.dense({ units: 6 }),
        L.batchNormalization(),
        L.leakyReLU({ alpha: 0.2 }),
        L.dense({ units: 5, activation: 'elu' }),
        L.batchNormalization(),
        L.dense({ units: 4, activation: 'softmax' }),
      ],
    }),
  }),
  /** Conv stride 2 'same' → BN fold → ReLU layer → Conv 'valid' → Flatten → Dense → Activation softmax. */
  'conv-strided': () => ({
    inputShape: [6, 6, 2],
    covers: [
      'Conv2D(stride 2, same)',
      'Conv2D(valid)',
      'BatchNormalization(folded)',
      'ReLU',
      'Flatten',
      'Activation(softmax)',
    ],
    model: tf.sequential({
      layers: [
        L.conv2d({ inputShape: [6, 6, 2], filters: 4, kernelSize: 3, strides: 2, padding: 'same' }),
        L.batchNormalization(),
        L.reLU(),
        L.conv2d({ filters: 3, kernelSize: 2, padding: 'valid', activation: 'relu' }),
        L.flatten(),
        L.dense({ units: 4 }),
        L.activation({ activation: 'softmax' }),
      ],
    }),
  }),
  /** Dilated 'same' conv (elu) → MaxPool same → DepthwiseConv → BN → ReLU → AvgPool stride 1 → GAP. */
  'dilated-depthwise': () => ({
    inputShape: [7, 7, 2],
    covers: [
      'Conv2D(dilation 2, same)',
      'MaxPooling2D(same)',
      'DepthwiseConv2D',
      'BatchNormalization(folded into depthwise)',
      'AveragePooling2D(stride 1, valid)',
      'GlobalAveragePooling2D',
    ],
    model: tf.sequential({
      layers: [
        L.conv2d({
          inputShape: [7, 7, 2],
          filters: 3,
          kernelSize: 3,
          dilationRate: 2,
          padding: 'same',
          activation: 'elu',
        }),
        L.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same' }),
        L.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2, padding: 'valid' }),
        L.batchNormalization(),
        L.reLU(),
        L.averagePooling2d({ poolSize: 2, strides: 1, padding: 'valid' }),
        L.globalAveragePooling2d({}),
        L.dense({ units: 4, activation: 'softmax' }),
      ],
    }),
  }),
  /** ZeroPadding → Conv valid → Cropping → standalone BN → MaxPool valid → Reshape → Dense → Softmax layer. */
  'pad-crop': () => ({
    inputShape: [6, 6, 2],
    covers: [
      'ZeroPadding2D',
      'Cropping2D',
      'BatchNormalization(standalone)',
      'MaxPooling2D(valid)',
      'Reshape',
      'Softmax',
    ],
    model: tf.sequential({
      layers: [
        L.zeroPadding2d({
          inputShape: [6, 6, 2],
          padding: [
            [1, 0],
            [0, 2],
          ],
        }),
        L.conv2d({ filters: 3, kernelSize: 3, padding: 'valid', activation: 'relu' }),
        L.cropping2D({
          cropping: [
            [1, 0],
            [0, 1],
          ],
        }),
        L.batchNormalization(),
        L.maxPooling2d({ poolSize: 2, padding: 'valid' }),
        L.reshape({ targetShape: [12] }),
        L.dense({ units: 4 }),
        L.softmax(),
      ],
    }),
  }),
  /** Dilated 'valid' conv, AvgPool 2×2 stride 2 'same' on an even size (no padded cells). */
  'dilated-valid': () => ({
    inputShape: [6, 6, 2],
    covers: ['Conv2D(dilation 2, valid)', 'AveragePooling2D(same, no partial windows)'],
    model: tf.sequential({
      layers: [
        L.conv2d({
          inputShape: [6, 6, 2],
          filters: 3,
          kernelSize: 2,
          dilationRate: 2,
          padding: 'valid',
          activation: 'relu',
        }),
        L.averagePooling2d({ poolSize: 2, strides: 2, padding: 'same' }),
        L.flatten(),
        L.dense({ units: 3 }),
      ],
    }),
  }),
  /** AvgPool 2×2 stride 2 'same' on 5×5: the last row/column windows are partial (TF divides by 2 or 1). */
  'avgpool-partial': () => ({
    inputShape: [5, 5, 2],
    covers: ['AveragePooling2D(same, partial windows)'],
    model: tf.sequential({
      layers: [
        L.averagePooling2d({ inputShape: [5, 5, 2], poolSize: 2, strides: 2, padding: 'same' }),
        L.conv2d({ filters: 2, kernelSize: 2, padding: 'valid', activation: 'relu' }),
        L.flatten(),
        L.dense({ units: 3 }),
      ],
    }),
  }),
  /** Residual block with a 1×1 projection skip: Conv → [Conv, Conv → BN] + [Conv 1×1] → Add → ReLU. */
  'residual-projection': () => {
    const input = tf.input({ shape: [6, 6, 2] });
    const stem = L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(
      input,
    ) as tf.SymbolicTensor;
    const b1 = L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(
      stem,
    ) as tf.SymbolicTensor;
    const b2 = L.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }).apply(
      b1,
    ) as tf.SymbolicTensor;
    const bn = L.batchNormalization().apply(b2) as tf.SymbolicTensor;
    const projection = L.conv2d({ filters: 4, kernelSize: 1, strides: 2 }).apply(
      stem,
    ) as tf.SymbolicTensor;
    const sum = L.add().apply([bn, projection]) as tf.SymbolicTensor;
    const act = L.reLU().apply(sum) as tf.SymbolicTensor;
    const pool = L.averagePooling2d({ poolSize: 2 }).apply(act) as tf.SymbolicTensor;
    const flat = L.flatten().apply(pool) as tf.SymbolicTensor;
    const out = L.dense({ units: 3, activation: 'softmax' }).apply(flat) as tf.SymbolicTensor;
    return {
      inputShape: [6, 6, 2],
      covers: [
        'Add(projection)',
        'fan-out',
        'BatchNormalization(folded)',
        'AveragePooling2D(valid)',
        'functional',
      ],
      model: tf.model({ inputs: input, outputs: out }),
    };
  },
  /** Identity skip: the stem's output feeds both the residual branch and the Add (fan-out). */
  'residual-identity': () => {
    const input = tf.input({ shape: [6, 6, 2] });
    const stem = L.conv2d({
      filters: 3,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
    }).apply(input) as tf.SymbolicTensor;
    const branch = L.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }).apply(
      stem,
    ) as tf.SymbolicTensor;
    const sum = L.add().apply([stem, branch]) as tf.SymbolicTensor;
    const act = L.activation({ activation: 'relu' }).apply(sum) as tf.SymbolicTensor;
    const gap = L.globalAveragePooling2d({}).apply(act) as tf.SymbolicTensor;
    const out = L.dense({ units: 4 }).apply(gap) as tf.SymbolicTensor;
    return {
      inputShape: [6, 6, 2],
      covers: ['Add(identity)', 'fan-out', 'Activation(relu)', 'GlobalAveragePooling2D'],
      model: tf.model({ inputs: input, outputs: out }),
    };
  },
  /** Concatenate of two conv branches, strided valid conv, ELU layer, GlobalMaxPool, concat of dense branches. */
  concat: () => {
    const input = tf.input({ shape: [6, 6, 2] });
    const a = L.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(
      input,
    ) as tf.SymbolicTensor;
    const b = L.conv2d({ filters: 2, kernelSize: 1, activation: 'relu' }).apply(
      input,
    ) as tf.SymbolicTensor;
    const cat = L.concatenate().apply([a, b]) as tf.SymbolicTensor;
    const c = L.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'valid' }).apply(
      cat,
    ) as tf.SymbolicTensor;
    const e = L.elu().apply(c) as tf.SymbolicTensor;
    const gmp = L.globalMaxPooling2d({}).apply(e) as tf.SymbolicTensor;
    const d1 = L.dense({ units: 3, activation: 'relu' }).apply(gmp) as tf.SymbolicTensor;
    const d2 = L.dense({ units: 2, activation: 'tanh' }).apply(gmp) as tf.SymbolicTensor;
    const cat2 = L.concatenate({ axis: -1 }).apply([d1, d2]) as tf.SymbolicTensor;
    const out = L.dense({ units: 4, activation: 'softmax' }).apply(cat2) as tf.SymbolicTensor;
    return {
      inputShape: [6, 6, 2],
      covers: [
        'Concatenate',
        'Conv2D(stride 2, valid)',
        'ELU',
        'GlobalMaxPooling2D',
        'tanh',
        'fan-out',
        'functional',
      ],
      model: tf.model({ inputs: input, outputs: out }),
    };
  },
  /** Concatenate along the height axis, Permute (swap height and width), conv, Dense. */
  'concat-axis-permute': () => {
    const input = tf.input({ shape: [4, 5, 2] });
    const a = L.conv2d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(
      input,
    ) as tf.SymbolicTensor;
    const b = L.conv2d({ filters: 2, kernelSize: 1 }).apply(input) as tf.SymbolicTensor;
    const cat = L.concatenate({ axis: 1 }).apply([a, b]) as tf.SymbolicTensor;
    const permuted = L.permute({ dims: [2, 1, 3] }).apply(cat) as tf.SymbolicTensor;
    const c = L.conv2d({
      filters: 3,
      kernelSize: 2,
      strides: 2,
      padding: 'valid',
      activation: 'relu',
    }).apply(permuted) as tf.SymbolicTensor;
    const flat = L.flatten().apply(c) as tf.SymbolicTensor;
    const out = L.dense({ units: 3 }).apply(flat) as tf.SymbolicTensor;
    return {
      inputShape: [4, 5, 2],
      covers: ['Concatenate(axis 1)', 'Permute', 'functional'],
      model: tf.model({ inputs: input, outputs: out }),
    };
  },
  /** ReLU-only MLP (for homogeneity and conservation with biasFree). */
  'relu-mlp': () => ({
    inputShape: [6],
    covers: ['Dense', 'relu'],
    model: tf.sequential({
      layers: [
        L.dense({ inputShape: [6], units: 8, activation: 'relu' }),
        L.dense({ units: 7, activation: 'relu' }),
        L.dense({ units: 3 }),
      ],
    }),
  }),
  /** ReLU-only CNN with max and average pooling (for homogeneity and conservation with biasFree). */
  'relu-cnn': () => ({
    inputShape: [6, 6, 2],
    covers: ['Conv2D', 'MaxPooling2D', 'AveragePooling2D', 'relu'],
    model: tf.sequential({
      layers: [
        L.conv2d({
          inputShape: [6, 6, 2],
          filters: 3,
          kernelSize: 3,
          padding: 'valid',
          activation: 'relu',
        }),
        L.maxPooling2d({ poolSize: 2 }),
        L.conv2d({ filters: 4, kernelSize: 2, padding: 'valid', activation: 'relu' }),
        L.flatten(),
        L.dense({ units: 3 }),
      ],
    }),
  }),
};

/** Names of every random network family. */
export const RANDOM_NETWORK_NAMES = Object.keys(FACTORIES);

/**
 * The families built with `tf.sequential` (no residual or concat branch): each layer passes the
 * whole relevance on, so R-LRP's mass equals |f_target| at every layer of the trace.
 */
export const SEQUENTIAL_NETWORK_NAMES: readonly string[] = [
  'mlp',
  'conv-strided',
  'dilated-depthwise',
  'pad-crop',
  'dilated-valid',
  'avgpool-partial',
  'relu-mlp',
  'relu-cnn',
];

/** The families that cover the engine's supported layer kinds (everything but the relu-only ones). */
export const COVERAGE_NETWORK_NAMES = RANDOM_NETWORK_NAMES.filter((n) => !n.startsWith('relu-'));

/** Builds network `name` with weights from `seed`. Dispose `model` when done. */
export function randomNetwork(
  name: string,
  seed: number,
  options: RandomNetworkOptions = {},
): RandomNetwork {
  const factory = FACTORIES[name];
  if (!factory)
    throw new Error(
      `random-networks: unknown network ${name}; known: ${RANDOM_NETWORK_NAMES.join(', ')}`,
    );
  const built = factory();
  randomizeWeights(built.model, seed, options);
  return { name, ...built };
}

/** A seeded batch of inputs U(−1, 1), float32, shape [batch, ...inputShape]. */
export function randomInputs(
  inputShape: readonly number[],
  batch: number,
  seed: number,
): Float32Array[] {
  const rng = new SeededRandom(seed ^ 0x5bd1e995);
  const n = inputShape.reduce((p, d) => p * d, 1);
  return Array.from({ length: batch }, () => rng.floats(n, -1, 1));
}
