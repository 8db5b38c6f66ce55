/**
 * Every error @rlrp/core throws on bad input is one of these classes: callers (and notebook users)
 * can `instanceof`-check them, and every message says what was wrong and how to fix it.
 */

/** Base class of every error thrown by @rlrp/core. */
export class RlrpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A model contains a layer the engine cannot propagate relevance through. */
export class UnsupportedLayerError extends RlrpError {
  constructor(
    /** The layer's name in the model. */
    readonly layerName: string,
    /** The layer's Keras class name, e.g. `LSTM`. */
    readonly className: string,
    /** The class names the engine supports. */
    readonly supported: readonly string[],
    detail?: string,
  ) {
    super(
      `Layer "${layerName}" of class ${className} is not supported${detail ? ` (${detail})` : ''}. ` +
        `Supported layer classes: ${supported.join(', ')}. ` +
        `Replace the layer, or explain a sub-model that ends before it.`,
    );
  }
}

/** An input tensor does not have the shape the model expects. */
export class InputShapeError extends RlrpError {
  constructor(
    readonly expected: readonly (number | null)[],
    readonly actual: readonly number[],
    hint = 'Pass a batch shaped like the model input (add a leading batch axis for one sample).',
  ) {
    super(
      `Input shape [${actual.join(', ')}] does not match the model's input shape [${expected.map((d) => (d === null ? 'batch' : d)).join(', ')}]. ${hint}`,
    );
  }
}

/** An input contains NaN or ±Infinity; relevance of such an input is undefined. */
export class NonFiniteInputError extends RlrpError {
  constructor(readonly count: number) {
    super(
      `The input contains ${count} NaN or infinite value(s). Clean or clip the input before explaining it.`,
    );
  }
}

/** A rule or composite name that does not exist, or rule parameters that are invalid. */
export class UnknownRuleError extends RlrpError {
  constructor(
    readonly rule: string,
    readonly known: readonly string[],
    detail?: string,
  ) {
    super(detail ?? `Unknown rule "${rule}". Known rules and composites: ${known.join(', ')}.`);
  }
}

/** Invalid rule parameters (for example LRP-αβ with α − β ≠ 1). */
export class RuleParameterError extends RlrpError {}

/** An explanation target that does not fit the model's output. */
export class TargetError extends RlrpError {}

/** Model files (model.json and weight shards) that are missing, malformed or truncated. */
export class ModelFileError extends RlrpError {
  constructor(
    readonly path: string,
    problem: string,
    hint: string,
  ) {
    super(`${problem} (${path}). ${hint}`);
  }
}

/** An image file that cannot be decoded or does not fit the model input. */
export class ImageFileError extends RlrpError {
  constructor(
    readonly path: string,
    /** What is wrong, without the path. */
    readonly problem: string,
    /** How to fix it. */
    readonly hint: string,
  ) {
    super(`${problem} (${path}). ${hint}`);
  }
}

/** An engine (tfjs backend) that was requested but cannot be loaded. */
export class EngineError extends RlrpError {}

/** A session or explanation used after `dispose()`. */
export class DisposedError extends RlrpError {}

/**
 * An `ExplainableModel` used after its model's weights changed (training, `setWeights`, loading):
 * the graph it built keeps kernels prepared from the old weights.
 */
export class ModelChangedError extends RlrpError {}

/**
 * The forward pass of a finite input produced NaN or ±Infinity: float32 overflowed (magnitudes
 * above 3.4e38) inside the model. Relevance of such a pass is undefined, so no map is returned.
 */
export class ForwardOverflowError extends RlrpError {
  constructor(
    /** The first layer (in forward order) whose result is not finite. */
    readonly layerName: string,
    /** Its Keras class name. */
    readonly className: string,
    /** Which of its results: the pre-activation `z` or the output after the activation. */
    readonly result: 'pre-activation' | 'output',
  ) {
    super(
      `The forward pass is not finite from layer "${layerName}" (${className}) on: its ${result} ` +
        'contains NaN or ±Infinity although the input is finite (float32 overflows above 3.4e38). ' +
        'Scale the input or the weights down, or explain a sub-model that ends before that layer.',
    );
  }
}

/** A weight of the model is NaN or ±Infinity, so no relevance through it is defined. */
export class NonFiniteWeightError extends RlrpError {
  constructor(
    /** The layer that owns the weight. */
    readonly layerName: string,
    /** The weight's name, e.g. `dense_1/kernel`. */
    readonly weightName: string,
  ) {
    super(
      `Weight "${weightName}" of layer "${layerName}" contains NaN or ±Infinity. ` +
        'Training diverged or the weight file is corrupt: reload or retrain the model.',
    );
  }
}

/** An input batch with no sample in it. */
export class EmptyBatchError extends RlrpError {
  constructor(readonly shape: readonly number[]) {
    super(
      `The input batch is empty (shape [${shape.join(', ')}]): there is nothing to explain. ` +
        'Pass at least one sample (for one image: image.expandDims(0)).',
    );
  }
}

/** An input tensor whose dtype cannot be read as numbers (strings, complex numbers). */
export class InputTypeError extends RlrpError {
  constructor(readonly dtype: string) {
    super(
      `Inputs of dtype ${dtype} cannot be explained: pass float32 (int32 and bool are converted). ` +
        'Convert the input with tf.cast(input, "float32") or decode it first (loadImage).',
    );
  }
}
