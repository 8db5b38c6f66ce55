import * as tf from '@tensorflow/tfjs';
import { ForwardOverflowError } from './errors';
import { nativeKernelsActive } from './engine/native-kernels';
import { finitenessProbeNatively } from './engine/native-finiteness-probe';
import type { ForwardPass } from './forward';
import type { Graph } from './graph/graph';

/**
 * Throws {@link ForwardOverflowError} naming the first node whose pre-activation or output holds NaN
 * or ±Infinity. The input was checked before the pass, so a non-finite value here means float32
 * overflowed inside the model; explaining it would return a NaN map.
 *
 * One device read for the whole pass: each result contributes one probe, 0 when it is finite and
 * NaN otherwise.
 */
export function assertForwardFinite(graph: Graph, forward: ForwardPass): void {
  const checked = graph.nodes.filter((node) => node.id !== graph.inputId);
  const results = checked.flatMap((node) => [
    forward.preActivations[node.id],
    forward.outputs[node.id],
  ]);
  // Many nodes share one tensor for both results, and an activation's z is its input's output:
  // each distinct tensor is reduced once.
  const distinct = [...new Set(results)];
  // Each probe's temporaries (tfjs' `x · 0`) are released right after it: kept until the end they
  // would double the forward pass's memory for a moment, and the wasm heap keeps its high-water mark.
  const sums = tf.tidy(() => tf.stack(distinct.map((t) => finitenessProbe(t))).dataSync());
  const finite = new Map(distinct.map((t, i) => [t, Number.isFinite(sums[i])]));
  checked.forEach((node, i) => {
    if (!finite.get(results[2 * i])) {
      throw new ForwardOverflowError(node.name, node.className, 'pre-activation');
    }
    if (!finite.get(results[2 * i + 1])) {
      throw new ForwardOverflowError(node.name, node.className, 'output');
    }
  });
}

/** 0 when every element of `x` is finite, NaN otherwise: `x · 0` is NaN exactly where x is not. */
function finitenessProbe(x: tf.Tensor): tf.Scalar {
  if (nativeKernelsActive() && x.dtype === 'float32') return finitenessProbeNatively(x);
  return tf.tidy(() => x.mul(0).sum());
}
