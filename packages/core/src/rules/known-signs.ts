/**
 * What is known of an activation's signs without reading it again. The classical rules skip the
 * `a⁻` half of a layer when its input is non-negative (after a ReLU, on [0, 1] pixels), which they
 * would learn with one device read per layer (rule-builder.ts). The forward pass's overflow check
 * learns it for every activation in its one read when the native kernels run
 * (forward-check.ts), and a rule remembers what it read: an interactive session, which keeps its
 * forward pass, then reads no sign again.
 *
 * Keyed by the tensor object: tensors are immutable, and the entry goes with the tensor.
 */
import type * as tf from '@tensorflow/tfjs';

const nonNegative = new WeakMap<tf.Tensor, boolean>();

/** Records whether every element of `activation` is ≥ 0. */
export function rememberNonNegative(activation: tf.Tensor, value: boolean): void {
  nonNegative.set(activation, value);
}

/** Whether every element of `activation` is ≥ 0, when known; `undefined` otherwise. */
export function knownNonNegative(activation: tf.Tensor): boolean | undefined {
  return nonNegative.get(activation);
}
