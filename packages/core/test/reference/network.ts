/**
 * The reference's own description of a network: a topologically ordered list of nodes, each a plain
 * float64 operation (an unrolled linear map, an elementwise activation, max routing, an index map,
 * Add or Concatenate). It is read from a tf.LayersModel's layer configs and weights; nothing here
 * computes with tfjs.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ActivationSpec } from './activations';
import {
  avgPoolMap,
  batchNormMap,
  conv2dMap,
  denseMap,
  depthwiseMap,
  foldBatchNorm,
  globalAvgPoolMap,
  windowCells,
  windowOutput,
  type LinearMap,
  type WindowGeometry,
} from './linear-maps';

/** What one node computes. */
export type RefOp =
  | { readonly kind: 'input' }
  /** z = W a + b followed by the layer's own activation. */
  | { readonly kind: 'linear'; readonly map: LinearMap; readonly activation: ActivationSpec }
  | { readonly kind: 'activation'; readonly activation: ActivationSpec }
  /** Each output takes the max over its window (input indices in window order). */
  | { readonly kind: 'maxpool'; readonly windows: readonly Int32Array[] }
  /** out[i] = in[source[i]], or 0 where source[i] = −1 (Flatten, Reshape, Dropout, padding, cropping). */
  | { readonly kind: 'structural'; readonly source: Int32Array }
  | { readonly kind: 'add' }
  /** out[i] = inputs[sourceInput[i]][sourceIndex[i]]. */
  | { readonly kind: 'concat'; readonly sourceInput: Int32Array; readonly sourceIndex: Int32Array };

/** One node: a layer of the model (or a canonizer-merged pair). */
export interface RefNode {
  readonly name: string;
  readonly className: string;
  /** Names of the nodes it reads, in call order. */
  readonly inputs: readonly string[];
  /** Output shape without the batch axis. */
  readonly shape: readonly number[];
  readonly op: RefOp;
}

/** A whole network, nodes in topological order (input first). */
export interface RefNetwork {
  readonly nodes: readonly RefNode[];
  readonly input: string;
  /** The node whose output are the logits (a final softmax is stripped). */
  readonly output: string;
}

/** How the description is built. */
export interface DescribeOptions {
  /** Fold BatchNormalization into the preceding linear layer (default true, as the engine). */
  readonly foldBatchNorm?: boolean;
  /** Classes a BatchNorm may be folded into (default Dense, Conv2D and DepthwiseConv2D). */
  readonly foldInto?: readonly string[];
}

type Config = Record<string, unknown>;

const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

function pair(value: unknown, fallback?: number): [number, number] {
  if (Array.isArray(value)) return [Number(value[0]), Number(value[value.length > 1 ? 1 : 0])];
  if (typeof value === 'number') return [value, value];
  if (fallback !== undefined) return [fallback, fallback];
  throw new Error(`reference: expected a number or pair, got ${JSON.stringify(value)}`);
}

function padding(config: Config): 'same' | 'valid' {
  const p = config.padding;
  if (p !== 'same' && p !== 'valid') throw new Error(`reference: padding ${String(p)}`);
  return p;
}

function activationOf(config: Config): ActivationSpec {
  const name = typeof config.activation === 'string' ? config.activation : 'linear';
  return { name: name.toLowerCase() };
}

function weightsOf(layer: tf.layers.Layer): Map<string, Float64Array> {
  const values = layer.getWeights();
  const byName = new Map<string, Float64Array>();
  layer.weights.forEach((variable, i) => {
    const short = variable.originalName.split('/').pop() ?? variable.originalName;
    byName.set(short, Float64Array.from(values[i].dataSync()));
  });
  return byName;
}

function identitySource(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

/** Index map of ZeroPadding2D / Cropping2D: out (y, x, c) reads in (y − top, x − left, c) or nothing. */
function shiftSource(
  inShape: readonly number[],
  outShape: readonly number[],
  top: number,
  left: number,
): Int32Array {
  const [h, w, c] = inShape;
  const [oh, ow] = outShape;
  const source = new Int32Array(oh * ow * c).fill(-1);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const iy = y - top;
      const ix = x - left;
      if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
      for (let ch = 0; ch < c; ch++) source[(y * ow + x) * c + ch] = (iy * w + ix) * c + ch;
    }
  }
  return source;
}

function nestedPairs(value: unknown): [[number, number], [number, number]] {
  if (typeof value === 'number') {
    return [
      [value, value],
      [value, value],
    ];
  }
  if (Array.isArray(value) && value.length === 2) {
    return [pair(value[0]), pair(value[1])];
  }
  throw new Error(`reference: padding/cropping ${JSON.stringify(value)}`);
}

interface Built {
  readonly shape: readonly number[];
  readonly op: RefOp;
  /** For BatchNorm nodes: what folding needs. */
  readonly batchNorm?: {
    gamma: Float64Array;
    beta: Float64Array;
    mean: Float64Array;
    variance: Float64Array;
    epsilon: number;
  };
}

function buildLayer(layer: tf.layers.Layer, inShapes: readonly (readonly number[])[]): Built {
  const config = layer.getConfig() as Config;
  const cls = layer.getClassName();
  const inShape = inShapes[0];
  const w = weightsOf(layer);
  const geometry = (
    kernelKey: string,
    stridesKey: string,
    defaultStrides?: unknown,
  ): WindowGeometry => {
    const kernel = pair(config[kernelKey]);
    return {
      kernel,
      strides: pair(config[stridesKey] ?? defaultStrides ?? kernel),
      dilation: pair(config.dilationRate, 1),
      padding: padding(config),
    };
  };
  if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') {
    throw new Error(`reference: ${layer.name} is not channelsLast`);
  }
  switch (cls) {
    case 'Dense': {
      const units = Number(config.units);
      const map = denseMap(w.get('kernel')!, w.get('bias') ?? null, inShape, units);
      return {
        shape: [...inShape.slice(0, -1), units],
        op: { kind: 'linear', map, activation: activationOf(config) },
      };
    }
    case 'Conv2D': {
      const g = geometry('kernelSize', 'strides', [1, 1]);
      const filters = Number(config.filters);
      const map = conv2dMap(w.get('kernel')!, w.get('bias') ?? null, inShape, filters, g);
      return {
        shape: [...windowOutput(inShape, g), filters],
        op: { kind: 'linear', map, activation: activationOf(config) },
      };
    }
    case 'DepthwiseConv2D': {
      const g = geometry('kernelSize', 'strides', [1, 1]);
      const m = Number(config.depthMultiplier ?? 1);
      const map = depthwiseMap(w.get('depthwise_kernel')!, w.get('bias') ?? null, inShape, m, g);
      return {
        shape: [...windowOutput(inShape, g), inShape[2] * m],
        op: { kind: 'linear', map, activation: activationOf(config) },
      };
    }
    case 'AveragePooling2D': {
      const g = geometry('poolSize', 'strides');
      return {
        shape: [...windowOutput(inShape, g), inShape[2]],
        op: { kind: 'linear', map: avgPoolMap(inShape, g), activation: { name: 'linear' } },
      };
    }
    case 'GlobalAveragePooling2D':
      return {
        shape: [inShape[2]],
        op: { kind: 'linear', map: globalAvgPoolMap(inShape), activation: { name: 'linear' } },
      };
    case 'MaxPooling2D': {
      const g = geometry('poolSize', 'strides');
      const c = inShape[2];
      const { cells, outShape } = windowCells(inShape, g);
      const windows: Int32Array[] = [];
      cells.forEach((window) => {
        for (let ch = 0; ch < c; ch++)
          windows.push(Int32Array.from(window, (cell) => cell * c + ch));
      });
      return { shape: [...outShape, c], op: { kind: 'maxpool', windows } };
    }
    case 'GlobalMaxPooling2D': {
      const [h, wd, c] = inShape;
      const windows = Array.from({ length: c }, (_, ch) =>
        Int32Array.from({ length: h * wd }, (_, cell) => cell * c + ch),
      );
      return { shape: [c], op: { kind: 'maxpool', windows } };
    }
    case 'BatchNormalization': {
      const axis = Number(config.axis ?? -1);
      if (axis !== -1 && axis !== inShape.length) throw new Error(`reference: BN axis ${axis}`);
      const c = inShape[inShape.length - 1];
      const bn = {
        gamma: w.get('gamma') ?? new Float64Array(c).fill(1),
        beta: w.get('beta') ?? new Float64Array(c),
        mean: w.get('moving_mean')!,
        variance: w.get('moving_variance')!,
        epsilon: Number(config.epsilon ?? 1e-3),
      };
      const map = batchNormMap(inShape, bn.gamma, bn.beta, bn.mean, bn.variance, bn.epsilon);
      return {
        shape: inShape,
        op: { kind: 'linear', map, activation: { name: 'linear' } },
        batchNorm: bn,
      };
    }
    case 'Flatten':
      return {
        shape: [size(inShape)],
        op: { kind: 'structural', source: identitySource(size(inShape)) },
      };
    case 'Reshape': {
      const target = (config.targetShape as number[]).map(Number);
      const known = target.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
      const shape = target.map((d) => (d === -1 ? size(inShape) / known : d));
      return { shape, op: { kind: 'structural', source: identitySource(size(inShape)) } };
    }
    case 'Dropout':
      return { shape: inShape, op: { kind: 'structural', source: identitySource(size(inShape)) } };
    case 'Permute': {
      // dims are 1-based over the non-batch axes: output axis i is input axis dims[i] − 1.
      const dims = (config.dims as number[]).map((d) => Number(d) - 1);
      const shape = dims.map((d) => inShape[d]);
      const inStrides = inShape.map((_, i) => size(inShape.slice(i + 1)));
      const source = new Int32Array(size(shape));
      for (let o = 0; o < source.length; o++) {
        let rest = o;
        let index = 0;
        for (let axis = 0; axis < shape.length; axis++) {
          const stride = size(shape.slice(axis + 1));
          const coordinate = Math.floor(rest / stride);
          rest -= coordinate * stride;
          index += coordinate * inStrides[dims[axis]];
        }
        source[o] = index;
      }
      return { shape, op: { kind: 'structural', source } };
    }
    case 'ZeroPadding2D': {
      const [[t, b], [l, r]] = nestedPairs(config.padding);
      const shape = [inShape[0] + t + b, inShape[1] + l + r, inShape[2]];
      return { shape, op: { kind: 'structural', source: shiftSource(inShape, shape, t, l) } };
    }
    case 'Cropping2D': {
      const [[t, b], [l, r]] = nestedPairs(config.cropping);
      const shape = [inShape[0] - t - b, inShape[1] - l - r, inShape[2]];
      return { shape, op: { kind: 'structural', source: shiftSource(inShape, shape, -t, -l) } };
    }
    case 'Activation':
      return { shape: inShape, op: { kind: 'activation', activation: activationOf(config) } };
    case 'ReLU':
      return {
        shape: inShape,
        op: {
          kind: 'activation',
          activation: { name: 'relu', maxValue: (config.maxValue as number | null) ?? null },
        },
      };
    case 'LeakyReLU':
      return {
        shape: inShape,
        op: {
          kind: 'activation',
          activation: { name: 'leakyrelu', alpha: Number(config.alpha ?? 0.3) },
        },
      };
    case 'ELU':
      return {
        shape: inShape,
        op: { kind: 'activation', activation: { name: 'elu', alpha: Number(config.alpha ?? 1) } },
      };
    case 'Softmax':
      return { shape: inShape, op: { kind: 'activation', activation: { name: 'softmax' } } };
    case 'Add':
      return { shape: inShape, op: { kind: 'add' } };
    case 'Concatenate': {
      const rank = inShape.length;
      const axisRaw = Number(config.axis ?? -1);
      const axis = axisRaw < 0 ? rank + axisRaw : axisRaw - 1; // config axes count the batch axis
      const outer = size(inShape.slice(0, axis));
      const inner = size(inShape.slice(axis + 1));
      const total = inShapes.reduce((s, sh) => s + sh[axis], 0);
      const sourceInput: number[] = [];
      const sourceIndex: number[] = [];
      for (let o = 0; o < outer; o++) {
        inShapes.forEach((sh, input) => {
          for (let d = 0; d < sh[axis]; d++) {
            for (let i = 0; i < inner; i++) {
              sourceInput.push(input);
              sourceIndex.push((o * sh[axis] + d) * inner + i);
            }
          }
        });
      }
      const shape = inShape.map((d, i) => (i === axis ? total : d));
      return {
        shape,
        op: {
          kind: 'concat',
          sourceInput: Int32Array.from(sourceInput),
          sourceIndex: Int32Array.from(sourceIndex),
        },
      };
    }
    default:
      throw new Error(`reference: layer class ${cls} (${layer.name}) is not in the reference`);
  }
}

interface MutableNode {
  name: string;
  className: string;
  inputs: string[];
  shape: readonly number[];
  op: RefOp;
  batchNorm?: Built['batchNorm'];
}

/**
 * Reads a tf.LayersModel into the reference description: unrolls every linear layer, optionally folds
 * BatchNorm into a directly preceding Dense/Conv2D (linear activation, sole consumer), and strips a
 * final softmax (a Softmax/Activation layer, or the last linear layer's activation).
 */
export function describeModel(model: tf.LayersModel, options: DescribeOptions = {}): RefNetwork {
  const fold = options.foldBatchNorm ?? true;
  const foldInto = options.foldInto ?? ['Dense', 'Conv2D', 'DepthwiseConv2D'];
  const inputName = model.inputs[0].sourceLayer.name;
  const inputShape = model.inputs[0].shape.slice(1).map(Number);
  const nodes: MutableNode[] = [
    {
      name: inputName,
      className: 'InputLayer',
      inputs: [],
      shape: inputShape,
      op: { kind: 'input' },
    },
  ];
  const byName = new Map<string, MutableNode>([[inputName, nodes[0]]]);
  for (const layer of model.layers) {
    if (layer.name === inputName || layer.getClassName() === 'InputLayer') continue;
    if (layer.inboundNodes.length !== 1)
      throw new Error(`reference: ${layer.name} is called ${layer.inboundNodes.length} times`);
    const inputs = layer.inboundNodes[0].inboundLayers.map((l) => l.name);
    const built = buildLayer(
      layer,
      inputs.map((n) => byName.get(n)!.shape),
    );
    const declared = (layer.outputShape as (number | null)[]).slice(1);
    if (declared.join(',') !== built.shape.join(',')) {
      throw new Error(
        `reference: ${layer.name} shape [${built.shape}] but tfjs says [${declared}]`,
      );
    }
    const node: MutableNode = {
      name: layer.name,
      className: layer.getClassName(),
      inputs,
      shape: built.shape,
      op: built.op,
      batchNorm: built.batchNorm,
    };
    nodes.push(node);
    byName.set(node.name, node);
  }
  let output = model.outputs[0].sourceLayer.name;

  const consumers = (name: string): MutableNode[] => nodes.filter((n) => n.inputs.includes(name));
  if (fold) {
    for (const bn of nodes.filter((n) => n.className === 'BatchNormalization')) {
      const prev = byName.get(bn.inputs[0])!;
      if (
        prev.op.kind !== 'linear' ||
        !foldInto.includes(prev.className) ||
        prev.op.activation.name !== 'linear'
      )
        continue;
      if (consumers(prev.name).length !== 1 || prev.name === output) continue;
      const b = bn.batchNorm!;
      const channels = prev.shape[prev.shape.length - 1];
      prev.op = {
        kind: 'linear',
        map: foldBatchNorm(prev.op.map, channels, b.gamma, b.beta, b.mean, b.variance, b.epsilon),
        activation: prev.op.activation,
      };
      for (const c of consumers(bn.name))
        c.inputs = c.inputs.map((i) => (i === bn.name ? prev.name : i));
      if (output === bn.name) output = prev.name;
      nodes.splice(nodes.indexOf(bn), 1);
      byName.delete(bn.name);
    }
  }

  const last = byName.get(output)!;
  if (last.op.kind === 'activation' && last.op.activation.name === 'softmax') {
    nodes.splice(nodes.indexOf(last), 1);
    output = last.inputs[0];
  } else if (last.op.kind === 'linear' && last.op.activation.name === 'softmax') {
    last.op = { ...last.op, activation: { name: 'linear' } };
  }
  for (const n of nodes) {
    if (n.op.kind === 'activation' && n.op.activation.name === 'softmax') {
      throw new Error(`reference: softmax at ${n.name} is not the final layer`);
    }
  }
  const frozen: RefNode[] = nodes.map(({ name, className, inputs, shape, op }) => ({
    name,
    className,
    inputs,
    shape,
    op,
  }));
  return { nodes: frozen, input: inputName, output };
}

/** A network built directly from nodes (for hand-checked cases without a tf model). */
export function networkOf(nodes: readonly RefNode[]): RefNetwork {
  return { nodes, input: nodes[0].name, output: nodes[nodes.length - 1].name };
}
