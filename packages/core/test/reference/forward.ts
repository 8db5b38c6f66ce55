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

/**
 * Index of the first maximum of `values` over `window` (first on ties, as max-pool routing). Ties are
 * judged at float32 precision, the precision of the model: a saturated ELU/tanh gives −1 + 1e-14 in
 * float64 but exactly −1 in float32, where the window is a genuine tie.
 */
export function argmaxIn(values: Float64Array, window: Int32Array): number {
  let best = window[0];
  for (let i = 1; i < window.length; i++) {
    if (Math.fround(values[window[i]]) > Math.fround(values[best])) best = window[i];
  }
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

/** Relative gap below which a float32 computation may pick either of two window candidates. */
export const ROUTING_TIE_GAP = 1e-5;

/**
 * Whether max routing over `window` is decided by less than float32 can resolve: the two largest
 * values differ, but by at most 1e-5 of their magnitude (exact ties are deterministic: first wins).
 */
export function routingAmbiguous(values: Float64Array, window: Int32Array): boolean {
  let first = -Infinity;
  let second = -Infinity;
  for (const i of window) {
    const v = values[i];
    if (v > first) {
      second = first;
      first = v;
    } else if (v > second) second = v;
  }
  if (!(second > -Infinity) || first === second) return false;
  return first - second <= ROUTING_TIE_GAP * Math.max(Math.abs(first), Math.abs(second));
}

/** Whether any max-pooling window of the sample is a float32 near-tie (see `routingAmbiguous`). */
export function hasAmbiguousRouting(net: RefNetwork, pass: ForwardPass): boolean {
  return net.nodes.some((node) => {
    if (node.op.kind !== 'maxpool') return false;
    const input = pass.values.get(node.inputs[0])!;
    return node.op.windows.some((w) => routingAmbiguous(input, w));
  });
}
