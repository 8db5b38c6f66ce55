import * as tf from '@tensorflow/tfjs';
import type { Graph } from './graph/graph';

/** What the forward pass keeps for the backward pass: every node's output and pre-activation. */
export interface ForwardPass {
  /** Output of every node (post-activation), batch axis first. */
  readonly outputs: readonly tf.Tensor[];
  /** Pre-activation `z` of linear nodes; the input of activation nodes; otherwise the output. */
  readonly preActivations: readonly tf.Tensor[];
  /** Releases every kept tensor. */
  dispose(): void;
}

/** Runs the graph on a batch, keeping what each rule needs. */
export function runForward(graph: Graph, input: tf.Tensor): ForwardPass {
  const kept = tf.tidy(() => {
    const outputs: tf.Tensor[] = [];
    const preActivations: tf.Tensor[] = [];
    for (const node of graph.nodes) {
      const inputs = node.inputs.map((i) => outputs[i]);
      const op = node.op;
      let z: tf.Tensor;
      let out: tf.Tensor;
      switch (op.kind) {
        case 'input':
          z = out = input.clone();
          break;
        case 'linear':
          z = op.linear.forward(inputs[0]);
          out = op.activation.apply(z);
          break;
        case 'activation':
          z = inputs[0];
          out = op.activation.apply(z);
          break;
        case 'maxpool':
          z = out = tf.maxPool(
            inputs[0] as tf.Tensor4D,
            op.geometry.kernel as [number, number],
            op.geometry.strides as [number, number],
            op.padding,
          );
          break;
        case 'globalmaxpool':
          z = out = tf.max(inputs[0], [1, 2]);
          break;
        case 'structural':
          z = out = op.forward(inputs[0]);
          break;
        case 'add':
          z = out = tf.addN(inputs);
          break;
        case 'concat':
          z = out = tf.concat(inputs, op.axis);
          break;
      }
      outputs.push(out);
      preActivations.push(z);
    }
    return { outputs, preActivations };
  });
  const unique = new Set<tf.Tensor>([...kept.outputs, ...kept.preActivations]);
  return {
    outputs: kept.outputs,
    preActivations: kept.preActivations,
    dispose() {
      for (const t of unique) t.dispose();
    },
  };
}
