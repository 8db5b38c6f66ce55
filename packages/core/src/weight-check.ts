import type * as tf from '@tensorflow/tfjs';
import { NonFiniteWeightError } from './errors';
import type { Graph } from './graph/graph';
import { weightPeakOf } from './layers/weight-peak';

/**
 * Throws {@link NonFiniteWeightError} for the first layer (in model order) holding a NaN or ±Infinity
 * weight, then for any such parameter the graph derived from them (a batch norm folded into a
 * convolution can overflow). Each tensor's data is read once (see `weightPeakOf`).
 */
export function assertWeightsFinite(model: tf.LayersModel, graph: Graph): void {
  for (const layer of model.layers) {
    for (const variable of layer.weights) {
      if (!weightPeakOf(variable.read()).finite) {
        throw new NonFiniteWeightError(layer.name, variable.originalName);
      }
    }
  }
  for (const node of graph.nodes) {
    if (node.op.kind !== 'linear') continue;
    const { weight, bias } = node.op.linear.params;
    if (!weightPeakOf(weight).finite) throw new NonFiniteWeightError(node.name, 'kernel (folded)');
    if (bias && !weightPeakOf(bias).finite) {
      throw new NonFiniteWeightError(node.name, 'bias (folded)');
    }
  }
}
