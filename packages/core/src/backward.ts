import * as tf from '@tensorflow/tfjs';
import type { Composite } from './composites';
import type { ForwardPass } from './forward';
import type { Graph, GraphNode } from './graph/graph';
import { routeToWindowMaxima } from './layers/max-pooling';
import type { Unchecked } from './rules/rule';

/** The result of one backward pass. Tensors belong to the caller. */
export interface BackwardPass {
  /** Relevance of the model input (for Gradient × Input: input ⊙ gradient). */
  readonly inputRelevance: tf.Tensor;
  /** Relevance of every node's output by node id (only when asked for; `null` for unreached nodes). */
  readonly perNode: readonly (tf.Tensor | null)[] | null;
}

/** Routes each pooling window's relevance to its arg-max cell. */
function routeMaxPool(node: GraphNode, x: tf.Tensor, r: tf.Tensor): tf.Tensor {
  if (node.op.kind !== 'maxpool') throw new Error('routeMaxPool needs a max-pooling node');
  return routeToWindowMaxima(x as tf.Tensor4D, r as tf.Tensor4D, node.op.geometry);
}

/** Routes each channel's global maximum to its first arg-max cell. */
function routeGlobalMax(x: tf.Tensor, r: tf.Tensor): tf.Tensor {
  const [batch, height, width, channels] = x.shape;
  const flat = x.reshape([batch, height * width, channels]);
  const winner = tf
    .oneHot(tf.argMax(flat, 1), height * width) // [B, C, HW]
    .transpose([0, 2, 1])
    .toFloat();
  return winner.mul(r.reshape([batch, 1, channels])).reshape([batch, height, width, channels]);
}

/** Splits a Concatenate's relevance back into its inputs' parts along the concat axis. */
function splitConcat(axis: number, inputs: readonly tf.Tensor[], r: tf.Tensor): tf.Tensor[] {
  return tf.split(
    r,
    inputs.map((t) => t.shape[axis]),
    axis,
  );
}

/**
 * Releases relevance tensors inside the backward pass's tidy as soon as nothing holds them any
 * more, instead of when the tidy ends: on VGG16 the relevance maps of all layers add up to about
 * the size of its activations, and the wasm heap keeps its high-water mark for good
 * (docs/performance.md, memory). Counts holders per tensor object, because a node may pass its
 * relevance on as is (activations without a gradient) or send one tensor to several inputs.
 */
class EarlyRelease {
  private readonly holders = new Map<tf.Tensor, number>();
  private readonly loose = new Set<tf.Tensor>();
  private readonly forwardTensors: ReadonlySet<tf.Tensor>;

  constructor(
    forward: ForwardPass,
    /** Off when the trace hands out the relevance tensors themselves. */
    private readonly enabled: boolean,
  ) {
    this.forwardTensors = new Set([...forward.outputs, ...forward.preActivations]);
  }

  /** Counts one more holder of `t` (a node's incoming relevance) and returns it. */
  held(t: tf.Tensor): tf.Tensor {
    this.holders.set(t, (this.holders.get(t) ?? 0) + 1);
    return t;
  }

  /** One holder of `t` is gone: released once none is left. */
  drop(t: tf.Tensor): void {
    const count = (this.holders.get(t) ?? 0) - 1;
    if (count > 0) {
      this.holders.set(t, count);
      return;
    }
    this.holders.delete(t);
    this.dropLater(t);
  }

  /** `t` may be released after the current node, unless something holds it by then. */
  dropLater(t: tf.Tensor): void {
    this.loose.add(t);
  }

  /** Releases what was dropped and is not held (called after each node). */
  settle(): void {
    for (const t of this.loose) {
      if (this.enabled && !this.holders.has(t) && !this.forwardTensors.has(t)) t.dispose();
    }
    this.loose.clear();
  }
}

/**
 * The forward tensors to release after each node when the backward pass runs once: every tensor
 * goes with the lowest-numbered node that reads it (nodes run from the output down), except the
 * input's and the logits, which the session still hands out.
 */
function lastReaders(graph: Graph, forward: ForwardPass): Map<number, tf.Tensor[]> {
  const kept = new Set([forward.outputs[graph.inputId], forward.outputs[graph.outputId]]);
  const lastReader = new Map<tf.Tensor, number>();
  const readBy = (t: tf.Tensor, id: number) => {
    if (!kept.has(t)) lastReader.set(t, Math.min(lastReader.get(t) ?? id, id));
  };
  graph.nodes.forEach((node, id) => {
    readBy(forward.outputs[id], id); // (a gradient-carrying trace reads a node's own output)
    readBy(forward.preActivations[id], id);
    for (const input of node.inputs) readBy(forward.outputs[input], id);
  });
  const byNode = new Map<number, tf.Tensor[]>();
  for (const [t, id] of lastReader) byNode.set(id, [...(byNode.get(id) ?? []), t]);
  return byNode;
}

/**
 * Propagates relevance from the output to the input, node by node in reverse topological order;
 * each linear layer and Add asks the composite for its rule, every other node is rule-independent.
 * Fan-out is handled by summing what a node receives from all of its readers.
 *
 * Rules with unchecked steps (R-LRP's direct step and Add split, generalised γ's output sign;
 * {@link Rule.unchecked}) take them at every layer and their checks are read once, after the
 * pass: one device read instead of one per step, which an interactive session pays per click
 * ({@link backwardRead} lets the caller fold that read into its own). When a check fails (a step
 * float32 could not be trusted with), the pass runs again with the rules' checked steps. A forward
 * pass used once is released as the pass goes and cannot be run again, so it takes the checked
 * steps directly.
 */
export function runBackward(
  graph: Graph,
  forward: ForwardPass,
  composite: Composite,
  start: tf.Tensor2D,
  keepTrace: boolean,
  /**
   * Whether the forward pass is used once: each of its tensors is then released right after the
   * last node that reads it (the input and the logits stay), and the forward pass cannot be
   * explained again.
   */
  releaseForward = false,
): BackwardPass {
  if (releaseForward) {
    return backwardPass(graph, forward, composite, start, keepTrace, true, false).pass;
  }
  const passItself: PassReader<BackwardPass> = {
    make: (pass) => pass,
    read: (_pass, checks) => readChecks(checks),
    dispose: disposeBackwardPass,
  };
  return backwardRead(graph, forward, composite, start, keepTrace, passItself).made;
}

/**
 * What {@link backwardRead}'s caller makes of a backward pass, and how it reads it together with
 * the pass's checks.
 */
export interface PassReader<T> {
  /** What the caller keeps of a pass (it owns the pass's tensors from then on). */
  make(pass: BackwardPass): T;
  /**
   * One device read: the values of `checks` (when not `null`), then whatever else the caller
   * reads of `made`, in one fresh array (the caller's own). Disposes `checks`, also when it throws.
   */
  read(made: T, checks: tf.Tensor1D | null): Float32Array;
  /** Releases a made value that is not returned (its checks failed, or reading it threw). */
  dispose(made: T): void;
}

/**
 * The backward pass of {@link runBackward} on a kept forward pass, made into what the caller
 * keeps and read once with its checks: `values` is what `reader.read` read after the checks' (a
 * fresh array). When a check fails, the pass with the rules' checked steps is made and read
 * instead (a second read, without checks).
 */
export function backwardRead<T>(
  graph: Graph,
  forward: ForwardPass,
  composite: Composite,
  start: tf.Tensor2D,
  keepTrace: boolean,
  reader: PassReader<T>,
): { made: T; values: Float32Array } {
  const pending = backwardUnread(graph, forward, composite, start, keepTrace);
  const size = pending.checks?.size ?? 0;
  const first = makeOrRelease(reader, pending.pass, pending.checks);
  const read = readOrRelease(reader, first, pending.checks);
  // `read` is fresh (see PassReader.read): a view of it is the caller's own.
  if (pending.trusts(read.subarray(0, size))) return { made: first, values: read.subarray(size) };
  reader.dispose(first);
  const checked = makeOrRelease(
    reader,
    backwardChecked(graph, forward, composite, start, keepTrace),
    null,
  );
  return { made: checked, values: readOrRelease(reader, checked, null) };
}

/** `reader.make(pass)`, with the pass (and `checks`) released when it throws. */
function makeOrRelease<T>(
  reader: PassReader<T>,
  pass: BackwardPass,
  checks: tf.Tensor1D | null,
): T {
  try {
    return reader.make(pass);
  } catch (error) {
    checks?.dispose();
    disposeBackwardPass(pass);
    throw error;
  }
}

/** `reader.read(made, checks)`, with `made` released when the read throws. */
function readOrRelease<T>(
  reader: PassReader<T>,
  made: T,
  checks: tf.Tensor1D | null,
): Float32Array {
  try {
    return reader.read(made, checks);
  } catch (error) {
    reader.dispose(made);
    throw error;
  }
}

/** A backward pass whose unchecked steps' checks are not read yet. */
interface PendingBackwardPass {
  readonly pass: BackwardPass;
  /**
   * Every check of the pass, flattened into one small tensor (the caller disposes it), or `null`
   * when the pass has nothing to check.
   */
  readonly checks: tf.Tensor1D | null;
  /**
   * Whether the pass equals the checked one, given the values read from `checks` (empty when
   * `checks` is `null`). When not, dispose the pass and run {@link backwardChecked}.
   */
  trusts(values: Float32Array): boolean;
}

/** The backward pass on a kept forward pass, with the unchecked steps and their checks unread. */
function backwardUnread(
  graph: Graph,
  forward: ForwardPass,
  composite: Composite,
  start: tf.Tensor2D,
  keepTrace: boolean,
): PendingBackwardPass {
  const hasUncheckedForm = composite.rules.some((rule) => rule.unchecked !== undefined);
  const { pass, checks: all } = backwardPass(
    graph,
    forward,
    composite,
    start,
    keepTrace,
    false,
    hasUncheckedForm,
  );
  // An empty check (γ's layer that computes both forms) has nothing to read or judge.
  const checks = all.filter(({ check }) => check.size > 0);
  for (const { check } of all) if (check.size === 0) check.dispose();
  // (A pass that reached no linear layer or Add has nothing to check either.)
  if (checks.length === 0) return { pass, checks: null, trusts: () => true };
  let flat: tf.Tensor1D;
  try {
    flat = tf.tidy(() => tf.concat(checks.map(({ check }) => check.flatten())) as tf.Tensor1D);
  } catch (error) {
    disposeBackwardPass(pass);
    throw error;
  } finally {
    for (const { check } of checks) check.dispose();
  }
  const sizes = checks.map(({ check }) => check.size);
  return {
    pass,
    checks: flat,
    trusts: (values) => {
      // Every check is judged, also after one failed: a rule may learn from each (rule-builder.ts).
      let trusted = true;
      let offset = 0;
      checks.forEach(({ trusts }, i) => {
        trusted = trusts(values.subarray(offset, offset + sizes[i])) && trusted;
        offset += sizes[i];
      });
      return trusted;
    },
  };
}

/** The backward pass with every rule's checked steps (what {@link runBackward} reruns). */
function backwardChecked(
  graph: Graph,
  forward: ForwardPass,
  composite: Composite,
  start: tf.Tensor2D,
  keepTrace: boolean,
): BackwardPass {
  return backwardPass(graph, forward, composite, start, keepTrace, false, false).pass;
}

/** The values of a pending pass's checks (one device read), and the checks disposed. */
function readChecks(checks: tf.Tensor1D | null): Float32Array {
  if (!checks) return new Float32Array(0);
  try {
    return checks.dataSync() as Float32Array;
  } finally {
    checks.dispose();
  }
}

/** An unchecked step's check, read after the pass. */
type PendingCheck = Pick<Unchecked<unknown>, 'check' | 'trusts'>;

/** Releases every tensor of `pass`. */
function disposeBackwardPass(pass: BackwardPass): void {
  pass.inputRelevance.dispose();
  for (const t of pass.perNode ?? []) t?.dispose();
}

/** One backward pass; `unchecked`: rules with an unchecked form take it, and return its checks. */
function backwardPass(
  graph: Graph,
  forward: ForwardPass,
  composite: Composite,
  start: tf.Tensor2D,
  keepTrace: boolean,
  releaseForward: boolean,
  unchecked: boolean,
): { pass: BackwardPass; checks: PendingCheck[] } {
  const ruleOf = composite.assign(graph);
  const carriesGradient = composite.rules.some((r) => r.propagates === 'gradient');

  const result = tf.tidy(() => {
    const incoming: (tf.Tensor | null)[] = graph.nodes.map(() => null);
    const perNode: (tf.Tensor | null)[] = graph.nodes.map(() => null);
    const checks: PendingCheck[] = [];
    const release = new EarlyRelease(forward, !(keepTrace && !carriesGradient));
    const send = (id: number, r: tf.Tensor) => {
      const previous = incoming[id];
      if (previous) {
        incoming[id] = release.held(previous.add(r));
        release.drop(previous);
        release.dropLater(r);
      } else {
        incoming[id] = release.held(r);
      }
    };
    incoming[graph.outputId] = release.held(start.clone());

    const forwardReleases = releaseForward ? lastReaders(graph, forward) : null;
    for (let id = graph.outputId; id >= 0; id--) {
      const node = graph.nodes[id];
      const r = incoming[id];
      if (!r) {
        forwardReleases?.get(id)?.forEach((t) => t.dispose());
        continue; // not on a path to the output
      }
      if (keepTrace) perNode[id] = carriesGradient ? forward.outputs[id].mul(r) : r;
      const op = node.op;
      const inputs = node.inputs.map((i) => forward.outputs[i]);
      const z = forward.preActivations[id];
      switch (op.kind) {
        case 'input':
          break;
        case 'linear': {
          const atZ = carriesGradient ? op.activation.backpropagateGradient(z, r) : r;
          const rule = ruleOf(node);
          const context = { node, op: op.linear, input: inputs[0], output: z };
          const uncheckedLinear = unchecked ? rule.unchecked?.linear : undefined;
          if (uncheckedLinear) {
            const step = uncheckedLinear(context, atZ);
            // Only the check: the tidy keeps every tensor in its result, and the step's value is
            // released on the way like any relevance.
            checks.push({ check: step.check, trusts: step.trusts });
            send(node.inputs[0], step.value);
          } else {
            send(node.inputs[0], rule.linear(context, atZ));
          }
          break;
        }
        case 'activation':
          send(node.inputs[0], carriesGradient ? op.activation.backpropagateGradient(z, r) : r);
          break;
        case 'maxpool':
          send(node.inputs[0], routeMaxPool(node, inputs[0], r));
          break;
        case 'globalmaxpool':
          send(node.inputs[0], routeGlobalMax(inputs[0], r));
          break;
        case 'structural':
          send(node.inputs[0], op.backward(r, inputs[0].shape));
          break;
        case 'add': {
          const rule = ruleOf(node);
          const uncheckedAdd = unchecked ? rule.unchecked?.add : undefined;
          let parts: tf.Tensor[];
          if (uncheckedAdd) {
            const split = uncheckedAdd(inputs, z, r);
            checks.push({ check: split.check, trusts: split.trusts });
            parts = split.value;
          } else {
            parts = rule.add(inputs, z, r);
          }
          parts.forEach((part, i) => send(node.inputs[i], part));
          break;
        }
        case 'concat':
          splitConcat(op.axis, inputs, r).forEach((part, i) => send(node.inputs[i], part));
          break;
      }
      if (id !== graph.inputId) {
        incoming[id] = null;
        release.drop(r);
        release.settle();
      }
      forwardReleases?.get(id)?.forEach((t) => t.dispose());
    }
    const atInput = incoming[graph.inputId] ?? tf.zerosLike(forward.outputs[graph.inputId]);
    // A copy, so the caller may dispose the input relevance and the trace independently.
    const inputRelevance = carriesGradient
      ? forward.outputs[graph.inputId].mul(atInput)
      : atInput.clone();
    // Safe, here and for tidy's result below: tidy keeps every tensor it finds in returned objects
    // and arrays and skips the nulls, which TensorContainer's type does not list.
    return {
      inputRelevance,
      perNode: keepTrace ? perNode : null,
      checks,
    } as unknown as tf.TensorContainer;
  }) as unknown as BackwardPass & { checks: PendingCheck[] };
  const { checks, ...pass } = result;
  return { pass, checks };
}
