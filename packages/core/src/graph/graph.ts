import type * as tf from '@tensorflow/tfjs';
import type { Activation } from '../layers/activation';
import type { LinearOp } from '../layers/linear-op';
import type { WindowGeometry } from '../layers/window-transpose';

/** Shape-only operations: reshapes, padding, cropping, identities. Relevance is mapped back exactly. */
export interface StructuralOp {
  readonly kind: 'structural';
  forward(x: tf.Tensor): tf.Tensor;
  /** Maps the output's relevance back onto the input's shape (`inputShape` includes the batch). */
  backward(r: tf.Tensor, inputShape: readonly number[]): tf.Tensor;
}

/** What a graph node computes. Rules only differ on `linear` and `add` nodes. */
export type NodeOp =
  | { readonly kind: 'input' }
  | { readonly kind: 'linear'; readonly linear: LinearOp; readonly activation: Activation }
  | { readonly kind: 'activation'; readonly activation: Activation }
  | {
      readonly kind: 'maxpool';
      readonly geometry: WindowGeometry;
      readonly padding: 'same' | 'valid';
    }
  | { readonly kind: 'globalmaxpool' }
  | StructuralOp
  | { readonly kind: 'add' }
  | { readonly kind: 'concat'; readonly axis: number };

/** One layer application of the model. */
export interface GraphNode {
  /** Position in {@link Graph.nodes} (topological order). */
  readonly id: number;
  /** The layer's name in the model. */
  readonly name: string;
  /** The layer's Keras class name. */
  readonly className: string;
  /** Position of the layer in `model.layers` (`-1` for the input). */
  readonly layerIndex: number;
  /** Ids of the nodes whose outputs this node reads, in order. */
  readonly inputs: readonly number[];
  /** Output shape without the batch axis. */
  readonly outputShape: readonly number[];
  readonly op: NodeOp;
}

/** A model as an explicit graph of nodes in topological order, single input and single output. */
export interface Graph {
  readonly nodes: readonly GraphNode[];
  readonly inputId: number;
  readonly outputId: number;
  /** The model's input shape (`null` for the batch axis). */
  readonly inputShape: readonly (number | null)[];
  /** Number of outputs (classes) of the pre-softmax head. */
  readonly numClasses: number;
  /** For every node, the ids of the nodes that read its output. */
  readonly consumers: readonly (readonly number[])[];
  /** Releases tensors the graph created (folded weights, cached kernels). */
  dispose(): void;
}

/** The consumers of every node, computed from the nodes' inputs. */
export function consumersOf(nodes: readonly GraphNode[]): number[][] {
  const consumers: number[][] = nodes.map(() => []);
  for (const node of nodes) for (const input of node.inputs) consumers[input].push(node.id);
  return consumers;
}
