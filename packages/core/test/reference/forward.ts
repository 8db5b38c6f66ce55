/**
 * The reference forward pass of one sample, in float64: every node's output (and each linear
 * node's pre-activation z) is kept, because every rule needs them.
 */
import { activate } from './activations';
import { applyMap } from './linear-maps';
import type { RefNetwork, RefNode } from './network';

/** All intermediate values of one sample. */
export interface ForwardPass {
  /** Output of every node (post-activation). */
  readonly values: ReadonlyMap<string, Float64Array>;
  /** Pre-activation z = W a + b of every linear node. */
  readonly preActivations: ReadonlyMap<string, Float64Array>;
  /** The network's pre-softmax output. */
  readonly logits: Float64Array;
}

/** Index of the first maximum of `values` over `window` (first on ties, as max-pool routing). */
export function argmaxIn(values: Float64Array, window: Int32Array): number {
  let best = window[0];
  for (let i = 1; i < window.length; i++) if (values[window[i]] > values[best]) best = window[i];
  return best;
}

function evaluate(
  node: RefNode,
  inputs: Float64Array[],
  pre: Map<string, Float64Array>,
): Float64Array {
  const op = node.op;
  switch (op.kind) {
    case 'input':
      throw new Error('reference: the input node has no computation');
    case 'linear': {
      const z = applyMap(op.map, inputs[0]);
      pre.set(node.name, z);
      return z.map((v) => activate(op.activation, v));
    }
    case 'activation':
      return inputs[0].map((v) => activate(op.activation, v));
    case 'maxpool':
      return Float64Array.from(op.windows, (w) => inputs[0][argmaxIn(inputs[0], w)]);
    case 'structural':
      return Float64Array.from(op.source, (s) => (s < 0 ? 0 : inputs[0][s]));
    case 'add': {
      const out = new Float64Array(inputs[0].length);
      for (const u of inputs) for (let i = 0; i < out.length; i++) out[i] += u[i];
      return out;
    }
    case 'concat':
      return Float64Array.from(op.sourceInput, (input, i) => inputs[input][op.sourceIndex[i]]);
  }
}

/** Runs one sample (flattened, channels-last) through the network. */
export function forward(net: RefNetwork, sample: ArrayLike<number>): ForwardPass {
  const values = new Map<string, Float64Array>();
  const pre = new Map<string, Float64Array>();
  for (const node of net.nodes) {
    if (node.op.kind === 'input') {
      values.set(node.name, Float64Array.from(sample));
      continue;
    }
    values.set(
      node.name,
      evaluate(
        node,
        node.inputs.map((n) => values.get(n)!),
        pre,
      ),
    );
  }
  return { values, preActivations: pre, logits: values.get(net.output)! };
}

/** Index of the first maximum of a whole vector (the predicted class). */
export function argmaxOf(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
