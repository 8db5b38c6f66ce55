import * as tf from '@tensorflow/tfjs';
import { graphOf } from './graph/build-graph';
import type { Graph, GraphNode } from './graph/graph';
import { LINEAR } from './layers/activation';
import { ChannelAffineOp } from './layers/channel-affine';
import { Conv2DOp } from './layers/conv2d';
import { DenseOp } from './layers/dense';
import { DepthwiseConv2DOp } from './layers/depthwise-conv2d';
import type { LinearOp, LinearParams } from './layers/linear-op';

/** A graph rewritten by a canonizer, remembering the graph it came from. */
export interface CanonizedGraph extends Graph {
  /** The graph before the rewrite (untouched: the rewrite is reversible by using it again). */
  readonly original: Graph;
}

/** Folds `scale`/`shift` of a following batch norm into a linear op, or `null` if it cannot. */
function foldInto(op: LinearOp, scale: tf.Tensor, shift: tf.Tensor): LinearOp | null {
  const fold = (perOutputScale: (w: tf.Tensor) => tf.Tensor): LinearParams =>
    tf.tidy(() => {
      const weight = perOutputScale(op.params.weight);
      const bias = op.params.bias ? op.params.bias.mul(scale).add(shift) : shift.clone();
      return { weight, bias };
    });
  if (op instanceof DenseOp) {
    const params = fold((w) => w.mul(scale));
    return new DenseOp(params, [params.weight, params.bias as tf.Tensor]);
  }
  if (op instanceof Conv2DOp) {
    const params = fold((w) => w.mul(scale));
    return new Conv2DOp(params, op.geometry, [params.weight, params.bias as tf.Tensor]);
  }
  if (op instanceof DepthwiseConv2DOp) {
    const [, , channels, multiplier] = op.params.weight.shape;
    const params = fold((w) => w.mul(scale.reshape([channels, multiplier])));
    return new DepthwiseConv2DOp(params, op.geometry, [params.weight, params.bias as tf.Tensor]);
  }
  return null;
}

/**
 * Folds every inference-mode BatchNormalization into the Dense, Conv2D or DepthwiseConv2D right
 * before it (when that layer has a linear activation and feeds only the batch norm). The model's
 * output is unchanged; relevance rules then see one linear layer, as they are defined for.
 * The model and the given graph are never modified: `original` is the unfolded graph.
 */
export function foldBatchNorm(graph: Graph): CanonizedGraph {
  const folded = new Map<number, LinearOp>(); // linear node id → folded op
  const removed = new Set<number>(); // batch-norm node ids
  const created: LinearOp[] = [];
  for (const node of graph.nodes) {
    if (node.className !== 'BatchNormalization' || node.op.kind !== 'linear') continue;
    const bn = node.op.linear;
    if (!(bn instanceof ChannelAffineOp)) continue;
    const previous = graph.nodes[node.inputs[0]];
    const foldable =
      previous.op.kind === 'linear' &&
      previous.op.activation === LINEAR &&
      graph.consumers[previous.id].length === 1 &&
      previous.className !== 'BatchNormalization';
    if (!foldable || previous.op.kind !== 'linear') continue;
    const op = foldInto(previous.op.linear, bn.params.weight, bn.params.bias as tf.Tensor);
    if (!op) continue;
    folded.set(previous.id, op);
    created.push(op);
    removed.add(node.id);
  }

  // Renumber: batch-norm nodes disappear; their readers read the folded layer instead.
  const newId = new Map<number, number>();
  const nodes: GraphNode[] = [];
  for (const node of graph.nodes) {
    if (removed.has(node.id)) {
      newId.set(node.id, newId.get(node.inputs[0]) as number);
      continue;
    }
    const id = nodes.length;
    newId.set(node.id, id);
    const foldedOp = folded.get(node.id);
    nodes.push({
      ...node,
      id,
      inputs: node.inputs.map((i) => newId.get(i) as number),
      op: foldedOp && node.op.kind === 'linear' ? { ...node.op, linear: foldedOp } : node.op,
    });
  }
  const rewritten = graphOf(
    nodes,
    newId.get(graph.inputId) as number,
    newId.get(graph.outputId) as number,
    graph.inputShape,
  );
  return {
    ...rewritten,
    original: graph,
    dispose() {
      for (const op of created) op.dispose();
    },
  };
}
