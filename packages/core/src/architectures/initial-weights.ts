import * as tf from '@tensorflow/tfjs';
import { loadWeightsFromDir } from '../io/loadWeightsFromDir';
import type { ResolvedArchitectureOptions } from './architecture-options';

type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

/**
 * Hands out one kernel initialiser per layer, each with its own seed derived from the model seed,
 * so a model is reproducible layer by layer. When weights will be loaded from a file the kernels
 * start as zeros instead: random numbers that are overwritten at once only cost time.
 */
export class KernelInitializers {
  private layerIndex = 0;

  constructor(private readonly options: ResolvedArchitectureOptions) {}

  /** Glorot-uniform (Keras' default for Conv2D and Dense), seeded per layer. */
  next(): Initializer {
    if (this.options.weightsPath !== undefined) return tf.initializers.zeros();
    // A prime stride keeps the per-layer seeds of different model seeds apart.
    const seed = this.options.seed * 7919 + this.layerIndex++;
    return tf.initializers.glorotUniform({ seed });
  }
}

/**
 * Loads `options.weightsPath` into `model` when given; disposes the model if that fails.
 *
 * @throws ModelFileError from the weight files (see loadWeightsFromDir).
 */
export function withWeightsFrom(
  model: tf.LayersModel,
  options: ResolvedArchitectureOptions,
): tf.LayersModel {
  if (options.weightsPath === undefined) return model;
  try {
    loadWeightsFromDir(model, options.weightsPath);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}
