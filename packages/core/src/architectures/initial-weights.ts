import * as tf from '@tensorflow/tfjs';
import { loadWeightsFromDir } from '../io/load-weights-from-dir';
import type { ResolvedArchitectureOptions } from './architecture-options';

type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

/**
 * Random distribution of one layer's initial kernel: Glorot-uniform (Keras' default for Conv2D and
 * Dense) or He-normal (suited to layers followed by a ReLU).
 */
export type KernelDistribution = 'glorotUniform' | 'heNormal';

/**
 * Step between the per-layer seeds of consecutive model seeds. A prime keeps the per-layer seeds
 * of different model seeds apart (seed 1's first layer is not seed 0's second).
 */
const PRIME_SEED_STRIDE = 7919;

/**
 * Hands out one kernel initialiser per layer, each with its own seed derived from the model seed
 * (`seed × seedStride + layer index`), so a model is reproducible layer by layer. When weights will
 * be loaded from a file the kernels start as zeros instead: random numbers that are overwritten at
 * once only cost time.
 */
export class KernelInitializers {
  private layerIndex = 0;

  /**
   * @param seedStride - see {@link PRIME_SEED_STRIDE}; the small classifiers use 1 because the
   *   shipped models were trained with the per-layer seeds `seed, seed + 1, …`.
   */
  constructor(
    private readonly options: ResolvedArchitectureOptions,
    private readonly seedStride = PRIME_SEED_STRIDE,
  ) {}

  /** The next layer's kernel initialiser, seeded; Glorot-uniform unless told otherwise. */
  next(distribution: KernelDistribution = 'glorotUniform'): Initializer {
    if (this.options.weightsPath !== undefined) return tf.initializers.zeros();
    const seed = this.options.seed * this.seedStride + this.layerIndex++;
    return distribution === 'heNormal'
      ? tf.initializers.heNormal({ seed })
      : tf.initializers.glorotUniform({ seed });
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
