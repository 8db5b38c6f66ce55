/**
 * Elementwise activations of the reference, in float64. R-LRP and the classical rules pass relevance
 * through them unchanged; Gradient×Input needs their derivative.
 */

/** An elementwise activation with its parameter (LeakyReLU / ELU slope, ReLU cap). */
export interface ActivationSpec {
  readonly name: string;
  readonly alpha?: number;
  readonly maxValue?: number | null;
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** The activation names the reference knows (Keras / tfjs serialisation names). */
export const KNOWN_ACTIVATIONS = [
  'linear',
  'relu',
  'relu6',
  'leakyrelu',
  'elu',
  'selu',
  'sigmoid',
  'tanh',
  'softplus',
  'softmax',
] as const;

/** σ(z) for one value. */
export function activate(spec: ActivationSpec, z: number): number {
  switch (spec.name) {
    case 'linear':
      return z;
    case 'relu': {
      const r = z > 0 ? z : 0;
      return spec.maxValue != null ? Math.min(r, spec.maxValue) : r;
    }
    case 'relu6':
      return Math.min(Math.max(z, 0), 6);
    case 'leakyrelu':
      return z > 0 ? z : (spec.alpha ?? 0.3) * z;
    case 'elu':
      return z > 0 ? z : (spec.alpha ?? 1) * (Math.exp(z) - 1);
    case 'selu':
      return SELU_SCALE * (z > 0 ? z : SELU_ALPHA * (Math.exp(z) - 1));
    case 'sigmoid':
      return 1 / (1 + Math.exp(-z));
    case 'tanh':
      return Math.tanh(z);
    case 'softplus':
      return Math.log1p(Math.exp(z));
    default:
      throw new Error(`reference: activation "${spec.name}" is not elementwise or not known`);
  }
}

/** dσ/dz for one value (tf convention: the ReLU derivative at 0 is 0). */
export function derivative(spec: ActivationSpec, z: number): number {
  switch (spec.name) {
    case 'linear':
      return 1;
    case 'relu':
      if (spec.maxValue != null && z >= spec.maxValue) return 0;
      return z > 0 ? 1 : 0;
    case 'relu6':
      return z > 0 && z < 6 ? 1 : 0;
    case 'leakyrelu':
      return z > 0 ? 1 : (spec.alpha ?? 0.3);
    case 'elu':
      return z > 0 ? 1 : (spec.alpha ?? 1) * Math.exp(z);
    case 'selu':
      return SELU_SCALE * (z > 0 ? 1 : SELU_ALPHA * Math.exp(z));
    case 'sigmoid': {
      const s = 1 / (1 + Math.exp(-z));
      return s * (1 - s);
    }
    case 'tanh': {
      const t = Math.tanh(z);
      return 1 - t * t;
    }
    case 'softplus':
      return 1 / (1 + Math.exp(-z));
    default:
      throw new Error(`reference: activation "${spec.name}" has no derivative here`);
  }
}

/** Softmax of a vector (only used to compare the reference logits with `model.predict`). */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i] - max);
    sum += out[i];
  }
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}
