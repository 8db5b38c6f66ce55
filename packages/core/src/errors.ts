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

/** A limit for what one-shot `explain()` keeps that is not a number of bytes ≥ 0. */
export class ExplainCacheLimitError extends RlrpError {}
