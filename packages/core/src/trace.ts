import * as tf from '@tensorflow/tfjs';
import type { Graph } from './graph/graph';
import type { TraceLayer } from './types';

/** Builds the trace (output layer first) from the per-node relevance of a backward pass. */
export function traceOf(graph: Graph, perNode: readonly (tf.Tensor | null)[]): TraceLayer[] {
  const trace: TraceLayer[] = [];
  for (let id = graph.nodes.length - 1; id >= 0; id--) {
    const relevance = perNode[id];
    if (!relevance) continue;
    const node = graph.nodes[id];
    const [mass, sum] = tf.tidy(() => {
      const flat = relevance.reshape([relevance.shape[0], -1]);
      return [Array.from(flat.abs().sum(1).dataSync()), Array.from(flat.sum(1).dataSync())];
    });
    trace.push({
      index: trace.length,
      name: node.name,
      className: node.className,
      outputShape: node.outputShape,
      relevance,
      mass,
      sum,
      vanished: mass.map((m) => m === 0),
    });
  }
  // Nodes off every path to the output received nothing; their tensors were never created.
  return trace;
}
