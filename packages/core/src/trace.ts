import type * as tf from '@tensorflow/tfjs';
import type { Graph, GraphNode } from './graph/graph';
import { TraceStatistics } from './trace-statistics';
import type { TraceLayer } from './types';

/**
 * One trace layer whose mass, sum and vanished flags come from the trace's shared read. They are
 * enumerable own getters, so a spread copy or JSON of the layer still carries them.
 */
function tracedLayer(
  index: number,
  node: GraphNode,
  relevance: tf.Tensor,
  statistics: TraceStatistics,
): TraceLayer {
  const layer = {
    index,
    name: node.name,
    className: node.className,
    outputShape: node.outputShape,
    relevance,
  };
  const mass = () => statistics.of(index).mass;
  return Object.defineProperties(layer, {
    mass: { get: mass, enumerable: true },
    sum: { get: () => statistics.of(index).sum, enumerable: true },
    vanished: { get: () => mass().map((m) => m === 0), enumerable: true },
  }) as typeof layer & Pick<TraceLayer, 'mass' | 'sum' | 'vanished'>;
}

/**
 * Builds the trace (output layer first) from the per-node relevance of a backward pass. No device
 * read happens here: the layers' mass and sum are read together when first asked for.
 */
export function traceOf(graph: Graph, perNode: readonly (tf.Tensor | null)[]): TraceLayer[] {
  const kept: { node: GraphNode; relevance: tf.Tensor }[] = [];
  for (let id = graph.nodes.length - 1; id >= 0; id--) {
    const relevance = perNode[id];
    // Nodes off every path to the output received nothing; their tensors were never created.
    if (relevance) kept.push({ node: graph.nodes[id], relevance });
  }
  const statistics = new TraceStatistics(kept.map((k) => k.relevance));
  return kept.map(({ node, relevance }, index) => tracedLayer(index, node, relevance, statistics));
}
