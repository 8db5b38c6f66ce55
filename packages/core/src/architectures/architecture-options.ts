import { RlrpError } from '../errors';

/** Options every architecture builder accepts. */
export interface ArchitectureOptions {
  /** Input shape `[height, width, channels]` without the batch axis; each builder has a default. */
  readonly inputShape?: readonly [number, number, number];
  /** Number of output classes; each builder has a default. */
  readonly classes?: number;
  /**
   * Seed of the random initial weights: the same seed builds the same weights. Default 0, so that
   * benchmarks and tests are reproducible.
   */
  readonly seed?: number;
  /**
   * Directory (or model.json path) of converted weights for exactly this architecture and these
   * options, e.g. a Keras model converted with `tensorflowjs_converter --input_format=keras`.
   * Weights are matched by layer name (the builders use the Keras layer names), else by order.
   * When given, the random initialisation is skipped.
   */
  readonly weightsPath?: string;
}

/** An architecture option that cannot build a model (e.g. an input too small for its pooling). */
export class ArchitectureOptionError extends RlrpError {}

/** The checked options of one builder. */
export interface ResolvedArchitectureOptions {
  readonly inputShape: [number, number, number];
  readonly classes: number;
  readonly seed: number;
  readonly weightsPath: string | undefined;
}

/**
 * Fills in defaults and checks the options.
 *
 * @param architecture - builder name, for messages.
 * @param minSide - smallest height/width the architecture's pooling and striding can take.
 * @throws ArchitectureOptionError naming the bad option and the accepted range.
 */
export function resolveArchitectureOptions(
  architecture: string,
  options: ArchitectureOptions,
  defaults: { inputShape: [number, number, number]; classes: number },
  minSide: number,
): ResolvedArchitectureOptions {
  const inputShape = options.inputShape ?? defaults.inputShape;
  if (inputShape.length !== 3 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ArchitectureOptionError(
      `${architecture}: inputShape must be three positive integers [height, width, channels], got [${inputShape.join(', ')}].`,
    );
  }
  if (inputShape[0] < minSide || inputShape[1] < minSide) {
    throw new ArchitectureOptionError(
      `${architecture}: input ${inputShape[0]}×${inputShape[1]} is too small; height and width must be at least ${minSide} for its pooling and strides.`,
    );
  }
  const classes = options.classes ?? defaults.classes;
  if (!Number.isInteger(classes) || classes < 1) {
    throw new ArchitectureOptionError(
      `${architecture}: classes must be a positive integer, got ${classes}.`,
    );
  }
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) {
    throw new ArchitectureOptionError(
      `${architecture}: seed must be a finite number, got ${seed}.`,
    );
  }
  return { inputShape: [...inputShape], classes, seed, weightsPath: options.weightsPath };
}

/** Checks a positive integer option of one builder. */
export function positiveInteger(architecture: string, option: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new ArchitectureOptionError(
      `${architecture}: ${option} must be a positive integer, got ${value}.`,
    );
  }
  return value;
}
