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
    hint = 'Pass a batch shaped like the model input.',
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
 * A weight-shard path in model.json that would leave the model folder or name something other than
 * a regular file. The message names the path exactly as model.json writes it and the rule it
 * breaks, and never the size, existence or contents of anything outside the folder.
 */
export class UnsafeModelPathError extends ModelFileError {
  constructor(
    modelJsonPath: string,
    /** The path as written (in `weightsManifest[].paths`, or model.json's own name). */
    readonly manifestPath: string,
    /** The rule the path breaks, e.g. `it contains a ".." segment`. */
    readonly rule: string,
    /** What the path names, for the message; default `'Weight shard'`. */
    kind = 'Weight shard',
  ) {
    super(
      modelJsonPath,
      `${kind} path ${quoteForMessage(manifestPath)} is refused: ${rule}`,
      'Shard paths must be plain relative file names inside the model folder (e.g. "group1-shard1of1.bin"): no "..", no absolute paths or URLs, no links leading outside, regular files only. Fix the path, or use the model files from their original source.',
    );
  }
}

/**
 * A model file beyond one of the loader's safety limits (model.json size or nesting depth, total
 * parameter count). Each limit has a load option that raises it.
 */
export class ModelLimitError extends ModelFileError {
  constructor(
    path: string,
    /** The limit's option name, e.g. `maxParameters`. */
    readonly option: string,
    /** The limit in force. */
    readonly limit: number,
    problem: string,
  ) {
    super(
      path,
      `${problem}, beyond the limit ${option} = ${limit}`,
      `If you trust this model and it really is that large, raise the limit: loadModelFromDir(path, { ${option}: … }).`,
    );
  }
}

/** A weight in model.json whose dtype (or quantisation dtype) the loader cannot turn into float32. */
export class UnsupportedWeightDtypeError extends ModelFileError {
  constructor(
    path: string,
    /** The weight's name in the manifest. */
    readonly weightName: string,
    /** The dtype that was found. */
    readonly dtype: string,
    /** The dtypes that are supported. */
    readonly supported: readonly string[],
  ) {
    super(
      path,
      `Weight ${quoteForMessage(weightName)} has dtype ${quoteForMessage(dtype)}, which this loader does not read; supported: ${supported.join(', ')}`,
      'Convert the model again with tensorflowjs_converter (float32 weights, optionally --quantize_uint8, --quantize_uint16 or --quantize_float16).',
    );
  }
}

/** An image whose header declares more pixels than allowed; refused before any pixel is decoded. */
export class ImageTooLargeError extends ImageFileError {
  constructor(
    path: string,
    /** Width declared in the file header. */
    readonly width: number,
    /** Height declared in the file header. */
    readonly height: number,
    /** The limit in force, in megapixels. */
    readonly maxMegapixels: number,
  ) {
    super(
      path,
      `The image declares ${width}×${height} pixels (${((width * height) / 1e6).toFixed(1)} megapixels), beyond the limit maxMegapixels = ${maxMegapixels}`,
      'Shrink the image first, or, if you trust the file, raise the limit with { maxMegapixels: … }.',
    );
  }
}

/** An option passed to a @rlrp/core function has a value it cannot use. */
export class OptionError extends RlrpError {
  constructor(
    /** The option's name. */
    readonly option: string,
    /** The value that was given. */
    readonly value: unknown,
    /** What the option accepts. */
    readonly expected: string,
  ) {
    super(`Option ${option} = ${String(value)} is invalid: it must be ${expected}.`);
  }
}

/**
 * A string from an untrusted file, quoted for an error message: JSON-escaped (so control
 * characters and newlines cannot forge output) and cut to 120 characters.
 */
export function quoteForMessage(text: string): string {
  const max = 120;
  const shown = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(shown);
}
