import * as tf from '@tensorflow/tfjs';
import { nativeKernelsActive } from './engine/native-kernels';
import { finiteMinimumNatively } from './engine/native-finite-minimum';
import { ForwardOverflowError } from './errors';
import type { ForwardPass } from './forward';
import type { Graph } from './graph/graph';
import { readComputed } from './read-computed';
import { rememberNonNegative } from './rules/known-signs';

/**
 * Activations whose output is finite wherever their input is and never negative (`relu` with or
 * without a largest value, `relu6`).
 */
const RECTIFIERS = new Set(['relu', 'relu6']);

/**
 * Throws {@link ForwardOverflowError} naming the first node whose pre-activation or output holds NaN
 * or ±Infinity. The input was checked before the pass, so a non-finite value here means float32
 * overflowed inside the model; explaining it would return a NaN map.
 *
 * One device read for the whole pass: each result contributes one probe. With the native kernels
 * the probe also gives the result's minimum, and the rules learn which activations are
 * non-negative from it (rules/known-signs.ts) instead of reading them layer by layer.
 */
export function assertForwardFinite(graph: Graph, forward: ForwardPass): void {
  const checked = graph.nodes.filter((node) => node.id !== graph.inputId);
  const results = checked.flatMap((node) => [
    forward.preActivations[node.id],
    forward.outputs[node.id],
  ]);
  // A ReLU's output is finite exactly where its z is, and never negative: it is not reduced
  // (49 of ResNet-50's 124 tensors), but takes its z's verdict (in graph order, so a ReLU of a
  // ReLU finds its input's set), and the checks below still name z first.
  const rectified = new Map<tf.Tensor, tf.Tensor>();
  for (const node of checked) {
    const z = forward.preActivations[node.id];
    const out = forward.outputs[node.id];
    const { op } = node;
    if ((op.kind === 'linear' || op.kind === 'activation') && out !== z) {
      if (RECTIFIERS.has(op.activation.name)) rectified.set(out, z);
    }
  }
  // Many nodes share one tensor for both results, and an activation's z is its input's output:
  // each distinct tensor is reduced once.
  const distinct = [...new Set(results)].filter((t) => !rectified.has(t));
  const finite = new Map<tf.Tensor, boolean>();
  // The input (checked before the pass) is probed too: the first layer's rule wants its sign.
  const probed = [...new Set([...distinct, forward.outputs[graph.inputId]])];
  const native = nativeKernelsActive() && probed.every((t) => t.dtype === 'float32');
  if (native) {
    // [0, min] per tensor, or [NaN, NaN] where it is not finite.
    const probes = readComputed(() => tf.stack(probed.map((t) => finiteMinimumNatively(t))));
    probed.forEach((t, i) => {
      finite.set(t, Number.isFinite(probes[2 * i]));
      if (Number.isFinite(probes[2 * i])) rememberNonNegative(t, probes[2 * i + 1] >= 0);
    });
  } else {
    // `x · 0` is NaN exactly where x is not finite, so each sum is 0 or NaN. Each `x · 0` is
    // released right after its sum (one tidy per tensor): kept until the end they would double the
    // forward pass's memory for a moment, and the wasm heap keeps its high-water mark.
    const sums = readComputed(() => tf.stack(distinct.map((t) => tf.tidy(() => t.mul(0).sum()))));
    distinct.forEach((t, i) => finite.set(t, Number.isFinite(sums[i])));
  }
  for (const [out, z] of rectified) {
    finite.set(out, finite.get(z) === true);
    if (native && finite.get(z)) rememberNonNegative(out, true);
  }
  checked.forEach((node, i) => {
    if (!finite.get(results[2 * i])) {
      throw new ForwardOverflowError(node.name, node.className, 'pre-activation');
    }
    if (!finite.get(results[2 * i + 1])) {
      throw new ForwardOverflowError(node.name, node.className, 'output');
    }
  });
}
