import type * as tf from '@tensorflow/tfjs';
import { RlrpError, UnsupportedLayerError } from '../errors';
import { LINEAR } from '../layers/activation';
import { convertLayer, SOFTMAX, SUPPORTED_LAYERS } from '../layers/registry';
import { consumersOf, type Graph, type GraphNode, type NodeOp } from './graph';

/** The parts of tfjs-layers' symbolic graph the builder walks (public fields of tfjs-layers). */
interface SymbolicTensorLike {
  readonly sourceLayer: tf.layers.Layer;
  readonly nodeIndex: number;
  readonly tensorIndex: number;
  readonly shape: (number | null)[];
}
interface LayerNodeLike {
  readonly inputTensors: SymbolicTensorLike[];
  readonly outputTensors: SymbolicTensorLike[];
}
type LayerWithNodes = tf.layers.Layer & { readonly inboundNodes: LayerNodeLike[] };

/**
 * Turns a `tf.LayersModel` (Sequential or functional) into an explicit graph of nodes in
 * topological order, one node per layer application. A final softmax (a Softmax/Activation layer or
 * the last layer's activation) is stripped so the graph outputs logits.
 */
export function buildGraph(model: tf.LayersModel): Graph {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new RlrpError(
      `The model has ${model.inputs.length} inputs and ${model.outputs.length} outputs; ` +
        'explanations need exactly one of each. Build a sub-model with tf.model({inputs, outputs}) first.',
    );
  }
  const nodes: GraphNode[] = [];
  const idOf = new Map<string, number>();
  const nameCount = new Map<string, number>();

  const visit = (tensor: SymbolicTensorLike): number => {
    const layer = tensor.sourceLayer as LayerWithNodes;
    if (tensor.tensorIndex !== 0) {
      throw new UnsupportedLayerError(
        layer.name,
        layer.getClassName(),
        SUPPORTED_LAYERS,
        'layers with several outputs',
      );
    }
    const key = `${layer.name}#${tensor.nodeIndex}`;
    const known = idOf.get(key);
    if (known !== undefined) return known;
    const className = layer.getClassName();
    if (className === 'Sequential' || className === 'Functional' || className === 'Model') {
      throw new UnsupportedLayerError(
        layer.name,
        className,
        SUPPORTED_LAYERS,
        'a nested model; rebuild the model with its layers inlined',
      );
    }
    const layerNode = layer.inboundNodes[tensor.nodeIndex];
    const inputTensors = className === 'InputLayer' ? [] : layerNode.inputTensors;
    const inputs = inputTensors.map(visit);
    const op: NodeOp =
      className === 'InputLayer'
        ? { kind: 'input' }
        : convertLayer({
            layer,
            config: layer.getConfig() as Record<string, unknown>,
            inputShapes: inputTensors.map((t) => t.shape),
            outputShape: tensor.shape,
          });
    const uses = nameCount.get(layer.name) ?? 0;
    nameCount.set(layer.name, uses + 1);
    const node: GraphNode = {
      id: nodes.length,
      name: uses === 0 ? layer.name : `${layer.name}#${uses}`,
      className,
      layerIndex: model.layers.indexOf(layer),
      inputs,
      outputShape: tensor.shape.slice(1) as number[],
      op,
    };
    nodes.push(node);
    idOf.set(key, node.id);
    return node.id;
  };

  let outputId = visit(model.outputs[0]);
  const inputId = idOf.get(`${model.inputs[0].sourceLayer.name}#${model.inputs[0].nodeIndex}`);
  if (inputId === undefined) {
    throw new RlrpError('The model output does not depend on its input; nothing to explain.');
  }

  // Strip a final softmax: the explained quantity is the pre-softmax score.
  const last = nodes[outputId];
  if (last.op.kind === 'activation' && last.op.activation === SOFTMAX) {
    nodes.pop();
    outputId = last.inputs[0];
  } else if (last.op.kind === 'linear' && last.op.activation === SOFTMAX) {
    nodes[outputId] = { ...last, op: { ...last.op, activation: LINEAR } };
  }
  for (const node of nodes) {
    const softmaxInside =
      (node.op.kind === 'activation' || node.op.kind === 'linear') &&
      node.op.activation === SOFTMAX;
    if (softmaxInside) {
      throw new UnsupportedLayerError(
        node.name,
        node.className,
        SUPPORTED_LAYERS,
        'softmax is only supported as the final layer (where it is stripped)',
      );
    }
  }
  const outputShape = nodes[outputId].outputShape;
  if (outputShape.length !== 1) {
    throw new RlrpError(
      `The model output has shape [${outputShape.join(', ')}] per sample; explanations need a vector of class scores.`,
    );
  }
  return graphOf(nodes, inputId, outputId, model.inputs[0].shape);
}

/** Assembles a graph from nodes; the graph's `dispose` releases what the linear ops own. */
export function graphOf(
  nodes: readonly GraphNode[],
  inputId: number,
  outputId: number,
  inputShape: readonly (number | null)[],
): Graph {
  let disposed = false;
  return {
    nodes,
    inputId,
    outputId,
    inputShape,
    numClasses: nodes[outputId].outputShape[0],
    consumers: consumersOf(nodes),
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const node of nodes) if (node.op.kind === 'linear') node.op.linear.dispose();
    },
  };
}
