/**
 * Counting the weights a Keras topology would create, without creating them: a 3 KB model.json
 * declaring `units: 300000` would otherwise make tfjs initialise gigabytes of random weights before
 * anything could notice that the weight files do not match.
 */
import * as tf from '@tensorflow/tfjs';
import { ModelFileError, ModelLimitError } from '../errors';
import { cannotBuild } from './cannot-build';

/** The bounds the topology's weight count must stay within. */
export interface TopologyBounds {
  /** model.json's path, for error messages. */
  readonly file: string;
  /** The `maxParameters` limit. */
  readonly maxParameters: number;
  /** Weight values the manifest provides for the model (optimizer state excluded). */
  readonly manifestParameters: number;
}

type AddWeight = (this: tf.layers.Layer, name: string, shape: readonly number[]) => unknown;

/**
 * Deserialises `modelTopology` with a counting stand-in for `Layer.addWeight`, so no weight is
 * allocated: each weight's shape is added up as it is declared, and the count is refused as soon as
 * it passes `maxParameters`, or exceeds the values the weight files hold by more than a million and
 * by more than those values again (such a topology cannot match the files, and building it would
 * cost far more than the files).
 *
 * tfjs' `modelFromJSON` runs synchronously up to its first `await`, which a topology without weights
 * never reaches; so the stand-in is in place exactly while this model's layers are built, and no
 * other code can run in between.
 *
 * @throws ModelLimitError beyond `maxParameters`.
 * @throws ModelFileError when the topology needs more weight values than the manifest declares,
 *   or tfjs cannot build it.
 */
export async function checkTopologyParameters(
  modelTopology: object,
  bounds: TopologyBounds,
): Promise<void> {
  let counted = 0;
  const EXCESS_BUILT_ANYWAY = 1_000_000;
  const prototype = tf.layers.Layer.prototype as unknown as { addWeight: AddWeight };
  const original = prototype.addWeight;
  const counting: AddWeight = function (name, shape) {
    if (!shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0)) {
      // A negative or fractional size would also lower the count; NaN would disable it.
      throw new ModelFileError(
        bounds.file,
        `Layer "${this.name}" would create its weight "${name}" with the shape [${shape.join(', ')}], which is not a list of non-negative integers`,
        'A layer setting (units, filters, kernel size, input shape) in model.json is invalid; restore the original model.json.',
      );
    }
    counted += shape.reduce((product, dim) => product * dim, 1);
    if (counted > bounds.maxParameters) {
      throw new ModelLimitError(
        bounds.file,
        'maxParameters',
        bounds.maxParameters,
        `The model's layers declare at least ${counted} weight values (at layer "${this.name}", weight "${name}")`,
      );
    }
    // A few values too many is cheap to build, and assignWeights then names the exact mismatch;
    // far more than the files hold is refused here, before tfjs allocates it.
    if (
      counted - bounds.manifestParameters >
      Math.max(EXCESS_BUILT_ANYWAY, bounds.manifestParameters)
    ) {
      throw new ModelFileError(
        bounds.file,
        `The model's layers need more than ${counted} weight values (at layer "${this.name}", weight "${name}"), but the weight files hold ${bounds.manifestParameters}`,
        'model.json does not describe the model its weight files were saved from; restore the original model.json.',
      );
    }
    // A stand-in that the layer keeps as its weight: the dry-run model is never run or saved.
    return { name, originalName: name, shape, dtype: 'float32' };
  };
  let built: Promise<tf.LayersModel>;
  prototype.addWeight = counting;
  try {
    built = tf.models.modelFromJSON({ modelTopology } as tf.io.ModelJSON);
  } finally {
    prototype.addWeight = original;
  }
  try {
    const model = await built;
    model.dispose();
  } catch (error) {
    if (error instanceof ModelFileError) throw error;
    throw cannotBuild(bounds.file, error);
  }
}
