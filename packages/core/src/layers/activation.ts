import * as tf from '@tensorflow/tfjs';

/** An elementwise activation function, with the derivative Gradient × Input needs. */
export interface Activation {
  /** Keras name, e.g. `relu`. */
  readonly name: string;
  apply(z: tf.Tensor): tf.Tensor;
  /** σ'(z) ⊙ g: the gradient through the activation. */
  backpropagateGradient(z: tf.Tensor, g: tf.Tensor): tf.Tensor;
}

function elementwise(name: string, fn: (z: tf.Tensor) => tf.Tensor): Activation {
  return {
    name,
    apply: fn,
    backpropagateGradient: (z, g) => tf.tidy(() => tf.grad((x: tf.Tensor) => fn(x))(z, g)),
  };
}

/** The identity (`linear` in Keras). */
export const LINEAR: Activation = {
  name: 'linear',
  apply: (z) => z,
  backpropagateGradient: (_z, g) => g,
};

/** Activation names the engine knows, with their functions. */
const ACTIVATIONS: Record<string, (options: ActivationOptions) => Activation> = {
  linear: () => LINEAR,
  relu: (o) =>
    o.maxValue === undefined || o.maxValue === null
      ? elementwise('relu', (z) => tf.relu(z))
      : elementwise('relu', (z) => tf.clipByValue(z, 0, o.maxValue as number)),
  relu6: () => elementwise('relu6', (z) => tf.relu6(z)),
  elu: (o) =>
    o.alpha === undefined || o.alpha === 1
      ? elementwise('elu', (z) => tf.elu(z))
      : elementwise('elu', (z) =>
          tf.where(
            z.greater(0),
            z,
            tf
              .exp(z)
              .sub(1)
              .mul(o.alpha as number),
          ),
        ),
  selu: () => elementwise('selu', (z) => tf.selu(z)),
  leakyrelu: (o) => elementwise('leakyrelu', (z) => tf.leakyRelu(z, o.alpha ?? 0.3)),
  tanh: () => elementwise('tanh', (z) => tf.tanh(z)),
  sigmoid: () => elementwise('sigmoid', (z) => tf.sigmoid(z)),
  softplus: () => elementwise('softplus', (z) => tf.softplus(z)),
  softsign: () => elementwise('softsign', (z) => z.div(z.abs().add(1))),
  swish: () => elementwise('swish', (z) => z.mul(tf.sigmoid(z))),
  gelu: () => elementwise('gelu', (z) => z.mul(0.5).mul(tf.erf(z.div(Math.SQRT2)).add(1))),
};

/** Options some activations take (Keras ReLU maxValue, LeakyReLU/ELU alpha). */
export interface ActivationOptions {
  readonly alpha?: number;
  readonly maxValue?: number | null;
}

/** Looks up an activation by its Keras name; `undefined` when unknown. `softmax` is handled by the graph. */
export function activationByName(
  name: string,
  options: ActivationOptions = {},
): Activation | undefined {
  const make = ACTIVATIONS[name.toLowerCase().replace(/_/g, '')];
  return make ? make(options) : undefined;
}
