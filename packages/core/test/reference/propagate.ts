/**
 * Backward passes of the reference for one sample: LRP (R-LRP or classical rules, one rule per node)
 * and Gradient×Input. Relevance arriving at a node from several consumers is summed (fan-out).
 */
import { derivative } from './activations';
import { argmaxIn, forward, routingAmbiguous, type ForwardPass } from './forward';
import { applyTransposed } from './linear-maps';
import type { RefNetwork, RefNode } from './network';
import {
  classicalDenominator,
  l1,
  linearRelevance,
  resolveRule,
  type Conditioning,
  type RefRule,
} from './rules';

/** Which rule each node uses (linear nodes and Add nodes consult it). */
export type RuleAssignment = (node: RefNode) => RefRule;

/** The result of one backward pass of one sample. */
export interface RefExplanation {
  readonly forward: ForwardPass;
  /** Relevance of every reached node's output (after fan-out summation). */
  readonly relevance: ReadonlyMap<string, Float64Array>;
  /** Relevance of the input. */
  readonly input: Float64Array;
  /** Per Add node: the relevance each of its inputs received from it, in input order. */
  readonly addShares: ReadonlyMap<string, readonly Float64Array[]>;
  /**
   * Σ over the steps of each step's worst Σ|terms| / |denominator| (see `Conditioning`): how many
   * digits a float32 implementation must lose; 1 per step for a well-conditioned net. Infinity when a
   * max-pooling window carrying relevance is a float32 near-tie (`routingAmbiguous`).
   */
  readonly conditioning: number;
}

/** How the backward pass starts: a class index (onehot·f or onehot·|f|) or an explicit vector. */
export type RefTarget = number | { readonly outputRelevance: ArrayLike<number> };

/** Uniform assignment of one rule. */
export const uniform =
  (rule: RefRule): RuleAssignment =>
  () =>
    rule;

function startRelevance(logits: Float64Array, target: RefTarget, absolute: boolean): Float64Array {
  if (typeof target !== 'number') return Float64Array.from(target.outputRelevance);
  const start = new Float64Array(logits.length);
  start[target] = absolute ? Math.abs(logits[target]) : logits[target];
  return start;
}

function accumulate(into: Map<string, Float64Array>, name: string, r: Float64Array): void {
  const existing = into.get(name);
  if (!existing) {
    into.set(name, Float64Array.from(r));
    return;
  }
  for (let i = 0; i < r.length; i++) existing[i] += r[i];
}

/**
 * LRP of one sample. With a rule assignment that gives 'rlrp' (R-LRP is always uniform) the start is
 * onehot·|f_target| and Add splits by u_i / y; otherwise the start is onehot·f_target and Add divides
 * by the Add node's rule denominator.
 */
export function explainSample(
  net: RefNetwork,
  sample: ArrayLike<number>,
  rules: RuleAssignment,
  target: RefTarget,
): RefExplanation {
  const fwd = forward(net, sample);
  const isRlrp = net.nodes.some((n) => n.op.kind === 'linear' && rules(n).name === 'rlrp');
  const relevance = new Map<string, Float64Array>();
  const addShares = new Map<string, Float64Array[]>();
  let conditioning = 0;
  relevance.set(net.output, startRelevance(fwd.logits, target, isRlrp));
  const outputIndex = net.nodes.findIndex((n) => n.name === net.output);
  for (let index = outputIndex; index >= 0; index--) {
    const node = net.nodes[index];
    const r = relevance.get(node.name);
    if (!r || node.op.kind === 'input') continue;
    const inputs = node.inputs.map((n) => fwd.values.get(n)!);
    const op = node.op;
    switch (op.kind) {
      case 'linear': {
        const stats: Conditioning = { worst: 0 };
        accumulate(
          relevance,
          node.inputs[0],
          linearRelevance(rules(node), op.map, inputs[0], r, stats),
        );
        conditioning += stats.worst;
        break;
      }
      case 'activation':
        accumulate(relevance, node.inputs[0], r);
        break;
      case 'maxpool': {
        const rIn = new Float64Array(inputs[0].length);
        op.windows.forEach((w, k) => {
          rIn[argmaxIn(inputs[0], w)] += r[k];
          // A float32 near-tie may route elsewhere in the engine: nothing can be compared below it.
          if (r[k] !== 0 && routingAmbiguous(inputs[0], w)) conditioning = Infinity;
        });
        accumulate(relevance, node.inputs[0], rIn);
        break;
      }
      case 'structural': {
        const rIn = new Float64Array(inputs[0].length);
        op.source.forEach((s, i) => {
          if (s >= 0) rIn[s] += r[i];
        });
        accumulate(relevance, node.inputs[0], rIn);
        break;
      }
      case 'add': {
        const y = fwd.values.get(node.name)!;
        const rule = resolveRule(rules(node), y);
        const shares = inputs.map((u) =>
          u.map((ui, i) => {
            if (isRlrp) return y[i] === 0 ? r[i] / inputs.length : (ui / y[i]) * r[i];
            return (ui / classicalDenominator(rule, y[i])) * r[i];
          }),
        );
        let worst = 0;
        y.forEach((yi, i) => {
          if (r[i] === 0) return;
          const magnitude = inputs.reduce((sum, u) => sum + Math.abs(u[i]), 0);
          const den = isRlrp ? yi : classicalDenominator(rule, yi);
          if (den !== 0) worst = Math.max(worst, magnitude / Math.abs(den));
        });
        conditioning += worst;
        addShares.set(node.name, shares);
        shares.forEach((s, i) => accumulate(relevance, node.inputs[i], s));
        break;
      }
      case 'concat': {
        const parts = inputs.map((u) => new Float64Array(u.length));
        op.sourceInput.forEach((input, i) => (parts[input][op.sourceIndex[i]] += r[i]));
        parts.forEach((p, i) => accumulate(relevance, node.inputs[i], p));
        break;
      }
    }
  }
  return { forward: fwd, relevance, input: relevance.get(net.input)!, addShares, conditioning };
}

/**
 * Gradient×Input of one sample: x ⊙ ∂(Σ_k s_k f_k)/∂x with s = onehot(target) (or the explicit vector),
 * by a literal vector–Jacobian product through the unrolled maps.
 */
export function gradientTimesInput(
  net: RefNetwork,
  sample: ArrayLike<number>,
  target: RefTarget,
): Float64Array {
  return gradientTrace(net, sample, target).get(net.input)!;
}

/**
 * Gradient×Input at every reached node: the node's output a ⊙ ∂(Σ_k s_k f_k)/∂a (what the engine's
 * trace reports for Gradient×Input).
 */
export function gradientTrace(
  net: RefNetwork,
  sample: ArrayLike<number>,
  target: RefTarget,
): Map<string, Float64Array> {
  const fwd = forward(net, sample);
  const grads = new Map<string, Float64Array>();
  const start =
    typeof target === 'number'
      ? Float64Array.from(fwd.logits, (_, i) => (i === target ? 1 : 0))
      : Float64Array.from(target.outputRelevance);
  grads.set(net.output, start);
  const outputIndex = net.nodes.findIndex((n) => n.name === net.output);
  for (let index = outputIndex; index >= 0; index--) {
    const node = net.nodes[index];
    const g = grads.get(node.name);
    if (!g || node.op.kind === 'input') continue;
    const inputs = node.inputs.map((n) => fwd.values.get(n)!);
    const op = node.op;
    switch (op.kind) {
      case 'linear': {
        const z = fwd.preActivations.get(node.name)!;
        accumulate(
          grads,
          node.inputs[0],
          applyTransposed(
            op.map,
            g.map((gi, k) => gi * derivative(op.activation, z[k])),
          ),
        );
        break;
      }
      case 'activation':
        accumulate(
          grads,
          node.inputs[0],
          g.map((gi, k) => gi * derivative(op.activation, inputs[0][k])),
        );
        break;
      case 'maxpool': {
        const gIn = new Float64Array(inputs[0].length);
        op.windows.forEach((w, k) => (gIn[argmaxIn(inputs[0], w)] += g[k]));
        accumulate(grads, node.inputs[0], gIn);
        break;
      }
      case 'structural': {
        const gIn = new Float64Array(inputs[0].length);
        op.source.forEach((s, i) => {
          if (s >= 0) gIn[s] += g[i];
        });
        accumulate(grads, node.inputs[0], gIn);
        break;
      }
      case 'add':
        node.inputs.forEach((n) => accumulate(grads, n, g));
        break;
      case 'concat': {
        const parts = inputs.map((u) => new Float64Array(u.length));
        op.sourceInput.forEach((input, i) => (parts[input][op.sourceIndex[i]] += g[i]));
        parts.forEach((p, i) => accumulate(grads, node.inputs[i], p));
        break;
      }
    }
  }
  return new Map(
    [...grads].map(([name, g]) => {
      const a = fwd.values.get(name)!;
      return [name, g.map((gi, i) => gi * a[i])];
    }),
  );
}

/** L1 mass of every reached node's relevance (for P2). */
export function massesOf(explanation: RefExplanation): Map<string, number> {
  return new Map([...explanation.relevance].map(([name, r]) => [name, l1(r)]));
}
