import { OptionError } from '../errors';

/**
 * Safety limits of the model loader. A model.json is untrusted input: these bound the work and
 * memory a crafted file can cost before it is refused with a {@link ModelLimitError}.
 */
export interface ModelLoadLimits {
  /** Largest model.json accepted, in bytes; default 32 MiB (Keras topologies take kilobytes). */
  readonly maxModelJsonBytes?: number;
  /** Deepest nesting of JSON arrays and objects in model.json; default 200. */
  readonly maxJsonDepth?: number;
  /**
   * Largest total number of weight values (parameters), counted in the manifest and in the
   * topology before any layer is built; default 200 million (VGG16 has 138 million).
   */
  readonly maxParameters?: number;
  /** Most layers the topology may declare (nested models included); default 2000. */
  readonly maxLayers?: number;
}

/** {@link ModelLoadLimits} with every default filled in. */
export type ResolvedModelLoadLimits = Required<ModelLoadLimits>;

/** Default {@link ModelLoadLimits}. */
export const DEFAULT_MODEL_LOAD_LIMITS: ResolvedModelLoadLimits = Object.freeze({
  maxModelJsonBytes: 32 * 1024 * 1024,
  maxJsonDepth: 200,
  maxParameters: 200_000_000,
  maxLayers: 2000,
});

/**
 * Fills in the defaults of `limits` and checks the given ones.
 *
 * @throws OptionError for a limit that is not a positive safe integer.
 */
export function resolveModelLoadLimits(limits: ModelLoadLimits = {}): ResolvedModelLoadLimits {
  const resolved = { ...DEFAULT_MODEL_LOAD_LIMITS };
  for (const key of Object.keys(DEFAULT_MODEL_LOAD_LIMITS) as (keyof ModelLoadLimits)[]) {
    const value = limits[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new OptionError(key, value, 'a positive integer');
    }
    resolved[key] = value;
  }
  return resolved;
}
