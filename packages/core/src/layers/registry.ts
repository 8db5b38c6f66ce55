import * as tf from '@tensorflow/tfjs';
import type { NodeOp } from '../graph/graph';
import { UnsupportedLayerError } from '../errors';
import { activationByName, LINEAR, type Activation } from './activation';
import { AveragePoolingOp } from './average-pooling';
import { ChannelAffineOp } from './channel-affine';
import { Conv2DOp } from './conv2d';
import { DenseOp } from './dense';
import { DepthwiseConv2DOp } from './depthwise-conv2d';
import { GlobalAveragePoolingOp } from './global-average-pooling';
import { axisPadding } from './padding';
import { croppingOp, IDENTITY, permuteOp, reshapeOp, zeroPaddingOp } from './structural';
import type { WindowGeometry } from './window-transpose';

/** What a converter sees of one layer application. */
export interface LayerSite {
  readonly layer: tf.layers.Layer;
  readonly config: Readonly<Record<string, unknown>>;
  /** Input shapes including the (null) batch axis. */
  readonly inputShapes: readonly (readonly (number | null)[])[];
  readonly outputShape: readonly (number | null)[];
}

/** Marker activation for a softmax: only allowed at the output, where the graph strips it. */
export const SOFTMAX: Activation = {
  name: 'softmax',
  apply: (z) => tf.softmax(z),
  backpropagateGradient: () => {
    throw new Error('softmax is stripped from the output and not supported inside a network');
  },
};

type Converter = (site: LayerSite) => NodeOp;

const num = (v: unknown): number => v as number;
const pair = (v: unknown): [number, number] =>
  Array.isArray(v) ? [num(v[0]), num(v[1] ?? v[0])] : [num(v), num(v)];
const pairOfPairs = (v: unknown): [[number, number], [number, number]] => {
  if (typeof v === 'number')
    return [
      [v, v],
      [v, v],
    ];
  const [a, b] = v as unknown[];
  return [pair(a), pair(b)];
};

function activationOf(site: LayerSite, name: unknown, options = {}): Activation {
  const activationName = (name as string | undefined) ?? 'linear';
  if (activationName.toLowerCase() === 'softmax') return SOFTMAX;
  const activation = activationByName(activationName, options);
  if (!activation) {
    throw new UnsupportedLayerError(
      site.layer.name,
      site.layer.getClassName(),
      SUPPORTED_LAYERS,
      `activation "${activationName}" is not supported`,
    );
  }
  return activation;
}

function requireChannelsLast(site: LayerSite): void {
  const format = site.config.dataFormat;
  if (format !== undefined && format !== 'channelsLast') {
    throw new UnsupportedLayerError(
      site.layer.name,
      site.layer.getClassName(),
      SUPPORTED_LAYERS,
      'only dataFormat "channelsLast" is supported',
    );
  }
}

function weightsOf(site: LayerSite): tf.Tensor[] {
  return site.layer.getWeights();
}

function windowGeometry(
  site: LayerSite,
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number],
): WindowGeometry {
  const mode = site.config.padding as 'same' | 'valid';
  if (mode !== 'same' && mode !== 'valid') {
    throw new UnsupportedLayerError(
      site.layer.name,
      site.layer.getClassName(),
      SUPPORTED_LAYERS,
      `padding "${String(mode)}" (only "same" and "valid")`,
    );
  }
  const [, height, width] = site.inputShapes[0] as number[];
  return {
    kernel,
    strides,
    dilations,
    padding: [
      axisPadding(height, kernel[0], strides[0], dilations[0], mode),
      axisPadding(width, kernel[1], strides[1], dilations[1], mode),
    ],
  };
}

const denseLayer: Converter = (site) => {
  if (site.inputShapes[0].length !== 2) {
    throw new UnsupportedLayerError(
      site.layer.name,
      'Dense',
      SUPPORTED_LAYERS,
      `Dense on a rank-${site.inputShapes[0].length} input; add a Flatten before it`,
    );
  }
  const [kernel, bias] = weightsOf(site);
  return {
    kind: 'linear',
    linear: new DenseOp({ weight: kernel, bias: bias ?? null }),
    activation: activationOf(site, site.config.activation),
  };
};

const conv2dLayer: Converter = (site) => {
  requireChannelsLast(site);
  const [kernel, bias] = weightsOf(site);
  const geometry = windowGeometry(
    site,
    pair(site.config.kernelSize),
    pair(site.config.strides ?? 1),
    pair(site.config.dilationRate ?? 1),
  );
  return {
    kind: 'linear',
    linear: new Conv2DOp({ weight: kernel, bias: bias ?? null }, geometry),
    activation: activationOf(site, site.config.activation),
  };
};

const depthwiseConv2dLayer: Converter = (site) => {
  requireChannelsLast(site);
  const [kernel, bias] = weightsOf(site);
  const dilations = pair(site.config.dilationRate ?? 1);
  if (dilations[0] > 1 || dilations[1] > 1) {
    // tfjs-layers 4.x infers the output shape of a dilated depthwise layer without the dilation,
    // so such a model cannot run its own forward pass consistently.
    throw new UnsupportedLayerError(
      site.layer.name,
      'DepthwiseConv2D',
      SUPPORTED_LAYERS,
      'dilationRate > 1 (tfjs-layers computes a wrong output shape for it); use dilationRate 1',
    );
  }
  const geometry = windowGeometry(
    site,
    pair(site.config.kernelSize),
    pair(site.config.strides ?? 1),
    dilations,
  );
  return {
    kind: 'linear',
    linear: new DepthwiseConv2DOp({ weight: kernel, bias: bias ?? null }, geometry),
    activation: activationOf(site, site.config.activation),
  };
};

const averagePooling2dLayer: Converter = (site) => {
  requireChannelsLast(site);
  const pool = pair(site.config.poolSize);
  const geometry = windowGeometry(site, pool, pair(site.config.strides ?? pool), [1, 1]);
  return {
    kind: 'linear',
    linear: new AveragePoolingOp(geometry, site.inputShapes[0] as number[]),
    activation: LINEAR,
  };
};

const globalAveragePooling2dLayer: Converter = (site) => {
  requireChannelsLast(site);
  const [, height, width] = site.inputShapes[0] as number[];
  return {
    kind: 'linear',
    linear: new GlobalAveragePoolingOp(height * width),
    activation: LINEAR,
  };
};

const maxPooling2dLayer: Converter = (site) => {
  requireChannelsLast(site);
  const pool = pair(site.config.poolSize);
  const geometry = windowGeometry(site, pool, pair(site.config.strides ?? pool), [1, 1]);
  return { kind: 'maxpool', geometry, padding: site.config.padding as 'same' | 'valid' };
};

const batchNormalizationLayer: Converter = (site) => {
  const rank = site.inputShapes[0].length;
  const axis = num(site.config.axis ?? -1);
  if (axis !== -1 && axis !== rank - 1) {
    throw new UnsupportedLayerError(
      site.layer.name,
      'BatchNormalization',
      SUPPORTED_LAYERS,
      `normalisation over axis ${axis}; only the channel axis (last) is supported`,
    );
  }
  // By position, not by name: a second model in the same process gets suffixed weight names
  // (`moving_mean_1`). Keras order: gamma (if scale), beta (if center), moving mean, variance.
  const weights = site.layer.weights.map((w) => w.read());
  let next = 0;
  const gammaWeight = site.config.scale === false ? undefined : weights[next++];
  const betaWeight = site.config.center === false ? undefined : weights[next++];
  const mean = weights[next++];
  const variance = weights[next++];
  const epsilon = num(site.config.epsilon ?? 1e-3);
  const params = tf.tidy(() => {
    const gamma = gammaWeight ?? tf.onesLike(mean);
    const beta = betaWeight ?? tf.zerosLike(mean);
    const weight = gamma.div(variance.add(epsilon).sqrt());
    return { weight, bias: beta.sub(mean.mul(weight)) };
  });
  return { kind: 'linear', linear: new ChannelAffineOp(params), activation: LINEAR };
};

const activationLayer: Converter = (site) => {
  const cls = site.layer.getClassName();
  const activation =
    cls === 'Activation'
      ? activationOf(site, site.config.activation)
      : cls === 'ReLU'
        ? activationOf(site, 'relu', { maxValue: site.config.maxValue as number | null })
        : cls === 'LeakyReLU'
          ? activationOf(site, 'leakyrelu', { alpha: num(site.config.alpha ?? 0.3) })
          : cls === 'ELU'
            ? activationOf(site, 'elu', { alpha: num(site.config.alpha ?? 1) })
            : SOFTMAX;
  return { kind: 'activation', activation };
};

const flattenLayer: Converter = (site) => reshapeOp(site.outputShape.slice(1) as number[]);
const reshapeLayer: Converter = (site) => reshapeOp(site.outputShape.slice(1) as number[]);
const permuteLayer: Converter = (site) => permuteOp(site.config.dims as number[]);
const identityLayer: Converter = () => IDENTITY;
const zeroPaddingLayer: Converter = (site) => {
  requireChannelsLast(site);
  return zeroPaddingOp(pairOfPairs(site.config.padding));
};
const croppingLayer: Converter = (site) => {
  requireChannelsLast(site);
  return croppingOp(pairOfPairs(site.config.cropping));
};
const addLayer: Converter = () => ({ kind: 'add' });
const concatenateLayer: Converter = (site) => {
  const rank = site.outputShape.length;
  const axis = num(site.config.axis ?? -1);
  return { kind: 'concat', axis: axis < 0 ? rank + axis : axis };
};
const globalMaxPooling2dLayer: Converter = (site) => {
  requireChannelsLast(site);
  return { kind: 'globalmaxpool' };
};

const CONVERTERS: Record<string, Converter> = {
  Dense: denseLayer,
  Conv2D: conv2dLayer,
  DepthwiseConv2D: depthwiseConv2dLayer,
  AveragePooling2D: averagePooling2dLayer,
  GlobalAveragePooling2D: globalAveragePooling2dLayer,
  MaxPooling2D: maxPooling2dLayer,
  GlobalMaxPooling2D: globalMaxPooling2dLayer,
  BatchNormalization: batchNormalizationLayer,
  Activation: activationLayer,
  ReLU: activationLayer,
  LeakyReLU: activationLayer,
  ELU: activationLayer,
  Softmax: activationLayer,
  Flatten: flattenLayer,
  Reshape: reshapeLayer,
  Permute: permuteLayer,
  Dropout: identityLayer,
  SpatialDropout1D: identityLayer,
  SpatialDropout2D: identityLayer,
  AlphaDropout: identityLayer,
  GaussianDropout: identityLayer,
  GaussianNoise: identityLayer,
  ZeroPadding2D: zeroPaddingLayer,
  Cropping2D: croppingLayer,
  Add: addLayer,
  Concatenate: concatenateLayer,
};

/** Keras layer classes the engine propagates relevance through (plus `InputLayer`). */
export const SUPPORTED_LAYERS: readonly string[] = ['InputLayer', ...Object.keys(CONVERTERS)];

/** Converts one layer application into a graph operation, or throws {@link UnsupportedLayerError}. */
export function convertLayer(site: LayerSite): NodeOp {
  const className = site.layer.getClassName();
  const convert = CONVERTERS[className];
  if (!convert) throw new UnsupportedLayerError(site.layer.name, className, SUPPORTED_LAYERS);
  return convert(site);
}
