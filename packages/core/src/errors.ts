/**
 * Every error @rlrp/core throws on bad input is one of these classes: callers (and notebook users)
 * can `instanceof`-check them, and every message says what was wrong and how to fix it.
 */

/**
 * The message of a thrown value, for an error trait, a reason or a log line: an `Error`'s message,
 * anything else (a string, a number) as text. Never throws: a value with no text of its own (an
 * object made with `Object.create(null)`, a `toString` that throws) is named by its
 * type, e.g. `[object Object]`.
 */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}

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

/** One layer that takes a rule (a linear layer or an Add), as a composite error lists it. */
export interface RuleTakingLayer {
  /** Position in `model.layers`. */
  readonly index: number;
  readonly name: string;
  /** Keras class name (a batch norm folded into its layer counts as that layer). */
  readonly className: string;
}

/**
 * A composite entry (`byName`, `byIndex`, `byClass`, `byFamily` or `firstLayer`) that matches no layer
 * of the model that takes a rule: such an entry would silently do nothing.
 */
export class CompositeEntryError extends RlrpError {
  constructor(
    /** The composite's description. */
    readonly composite: string,
    /** The entries that match nothing, e.g. `byClass "Conv3D"`. */
    readonly unmatched: readonly string[],
    /** Every layer of the model that takes a rule. */
    readonly layers: readonly RuleTakingLayer[],
    /** The layer families and their classes, e.g. `convolution = Conv2D, DepthwiseConv2D`. */
    families: string,
  ) {
    super(
      `Composite "${composite}": ${unmatched.join(', ')} match${unmatched.length === 1 ? 'es' : ''} no layer of this model that takes a rule. ` +
        `Layers that take a rule (index: name (class)): ${layers.map((l) => `${l.index}: ${l.name} (${l.className})`).join(', ')}. ` +
        `Families: ${families}. Fix or remove the entry.`,
    );
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

/** Shows an offending option value in a message: strings quoted, arrays and objects abbreviated. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (Array.isArray(value))
    return `[${value.slice(0, 5).join(', ')}${value.length > 5 ? ', …' : ''}]`;
  if (value !== null && typeof value === 'object') return Object.prototype.toString.call(value);
  return String(value);
}

/**
 * An evaluation option (mode, keep-top-k percent, steps, batch size, seed, baseline, score output,
 * statistics input, …) that is unknown or out of range. Evaluation never computes a metric from
 * such an option: a wrong metric that looks plausible is worse than an error.
 */
export class EvaluationOptionError extends RlrpError {
  constructor(
    /** The option's name, e.g. `mode` or `percents[2]`. */
    readonly option: string,
    /** The value that was passed. */
    readonly value: unknown,
    /** What is accepted, e.g. `'deletion' or 'insertion'`. */
    readonly expected: string,
    /** How to fix it, when more than "pass what is accepted" helps. */
    hint?: string,
  ) {
    super(
      `Evaluation option ${option} = ${describeValue(value)} is invalid: expected ${expected}.` +
        (hint ? ` ${hint}` : ''),
    );
  }
}

/** A label or target that is not an integer class index of the classifier's output. */
export class ClassIndexError extends EvaluationOptionError {
  constructor(
    /** `labels` or `targets`. */
    readonly what: string,
    /** The image whose index is wrong. */
    readonly sample: number,
    readonly index: number,
    /** Number of classes the classifier outputs. */
    readonly classes: number,
  ) {
    super(
      `${what}[${sample}]`,
      index,
      `an integer class index in 0…${classes - 1} (the classifier outputs ${classes} classes)`,
      `Check that the ${what} belong to this model's dataset and are class indices, not one-hot rows.`,
    );
  }
}

/**
 * A pixel ranking that is not, for every image, a permutation of its pixel indices: an index outside
 * the image, a non-integer, or a pixel listed twice (which would silently keep fewer pixels).
 */
export class PixelRankingError extends EvaluationOptionError {
  constructor(
    /** The image whose ranking is wrong. */
    readonly sample: number,
    /** Position within that image's ranking. */
    readonly position: number,
    /** The offending entry. */
    readonly pixel: number,
    /** Pixels per image (height · width). */
    readonly pixels: number,
    readonly problem: 'outside the image' | 'not an integer' | 'a duplicate',
  ) {
    super(
      `ranking of image ${sample}, position ${position}`,
      pixel,
      `a pixel index in 0…${pixels - 1}, each exactly once per image (this entry is ${problem})`,
      'Build rankings with rankPixels(), or pass the relevance maps and let the metric rank them.',
    );
  }
}

/** A limit for what one-shot `explain()` keeps that is not a number of bytes ≥ 0. */
export class ExplainCacheLimitError extends RlrpError {}
