import * as tf from '@tensorflow/tfjs';
import { nativeKernelsActive } from '../engine/native-kernels';
import { rlrpAddSplitNatively } from '../engine/native-rlrp-add-split';
import type { Unchecked } from './rule';
import { massPerSample } from './unit-scale';

/**
 * The largest L1 mass (per sample) an Add hands on to its summands together: 2¹²⁷, half of
 * float32's largest value. Every later step keeps or splits mass (linear steps renormalise to it,
 * fan-out sums shares of one Add's mass), so nothing below an Add can then overflow. It binds only
 * where the shares themselves would not fit in float32, or for logits above 1.7e38.
 */
export const MAX_ADD_MASS = 2 ** 127;

/** `R_{u_i} = u_i / y ⊙ R_y`, `R_y / n` where `y = 0`, in float32 on the engine. */
function splitOnEngine(
  inputs: readonly tf.Tensor[],
  output: tf.Tensor,
  relevance: tf.Tensor,
): tf.Tensor[] {
  return tf.tidy(() => {
    // A 0/1 factor rather than tf.where: where copies all three of its operands on wasm (tfjs
    // broadcasts them first). And 1 − step(|y|) rather than y == 0: wasm's comparison with a
    // broadcast 0 is slow (6 against 2.3 ms on 56×56×256). Equal for finite y, which the forward
    // pass's check guarantees.
    const isZero = tf.sub(1, tf.step(tf.abs(output)));
    const zeroShare = relevance.mul(isZero); // R_y where y = 0, else 0
    const share = relevance.div(output.add(isZero)).sub(zeroShare); // R_y / y, 0 where y = 0
    const even = zeroShare.div(inputs.length); // R_y / n where y = 0
    return inputs.map((u) => u.mul(share).add(even));
  });
}

/**
 * The same split in float64 on the host, for the rare Add whose shares leave float32's range: a
 * tiny `y` from cancelling summands makes `u_i / y` huge. Per sample, shares whose total mass
 * exceeds {@link MAX_ADD_MASS} are scaled down together by one factor, which keeps every summand's
 * share of the relevance (what the rule is about) and makes them finite.
 */
function splitOnHost(
  inputs: readonly tf.Tensor[],
  output: tf.Tensor,
  relevance: tf.Tensor,
): tf.Tensor[] {
  const y = output.dataSync();
  const r = relevance.dataSync();
  const us = inputs.map((u) => u.dataSync());
  const n = inputs.length;
  const batch = output.shape[0];
  const perSample = y.length / batch;
  const shares = inputs.map(() => new Float64Array(y.length));
  for (let b = 0; b < batch; b++) {
    let mass = 0;
    for (let j = b * perSample; j < (b + 1) * perSample; j++) {
      for (let i = 0; i < n; i++) {
        const share = y[j] === 0 ? r[j] / n : (us[i][j] / y[j]) * r[j];
        shares[i][j] = share;
        mass += Math.abs(share);
      }
    }
    const factor = mass > MAX_ADD_MASS ? MAX_ADD_MASS / mass : 1;
    if (factor !== 1) {
      for (const share of shares) {
        for (let j = b * perSample; j < (b + 1) * perSample; j++) share[j] *= factor;
      }
    }
  }
  return shares.map((share) => tf.tensor(Float32Array.from(share), output.shape, 'float32'));
}

/**
 * R-LRP's Add split `R_{u_i} = u_i / y ⊙ R_y` (evenly where `y = 0`), finite whenever its operands
 * are: computed on the engine, and again on the host in float64 for the samples' sake when the
 * engine's result is not finite or carries more than {@link MAX_ADD_MASS}.
 */
export function splitAddFinite(
  inputs: readonly tf.Tensor[],
  output: tf.Tensor,
  relevance: tf.Tensor,
): tf.Tensor[] {
  const split = uncheckedAddSplit(inputs, output, relevance);
  const masses = split.check.dataSync() as Float32Array;
  split.check.dispose();
  if (split.trusts(masses)) return split.value;
  tf.dispose(split.value);
  return splitOnHost(inputs, output, relevance);
}

/**
 * Whether the native kernels compute the engine's split: its values bit for bit in one pass, the
 * check's masses summed in another order (engine/native-rlrp-add-split.ts).
 */
function splitRunsNatively(
  inputs: readonly tf.Tensor[],
  output: tf.Tensor,
  relevance: tf.Tensor,
): boolean {
  const operands = [...inputs, output, relevance];
  return (
    nativeKernelsActive() &&
    inputs.length > 0 &&
    output.rank >= 1 &&
    output.size > 0 &&
    operands.every((t) => t.dtype === 'float32' && tf.util.arraysEqual(t.shape, output.shape))
  );
}

/** Whether the engine's split, whose shares' mass per sample is `masses`, is the split itself. */
function sharesFit(masses: Float32Array): boolean {
  return masses.every((m) => Number.isFinite(m) && m <= MAX_ADD_MASS);
}

/** The engine's split without reading the device, with the shares' mass per sample as its check. */
export function uncheckedAddSplit(
  inputs: readonly tf.Tensor[],
  output: tf.Tensor,
  relevance: tf.Tensor,
): Unchecked<tf.Tensor[]> {
  if (splitRunsNatively(inputs, output, relevance)) {
    const { shares, check } = rlrpAddSplitNatively(inputs, output, relevance);
    return { value: shares, check, trusts: sharesFit };
  }
  const value = splitOnEngine(inputs, output, relevance);
  const check = tf.tidy(() => tf.addN(value.map((p) => massPerSample(p))));
  return { value, check, trusts: sharesFit };
}
