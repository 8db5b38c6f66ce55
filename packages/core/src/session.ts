import * as tf from '@tensorflow/tfjs';
import { backwardRead, runBackward, type BackwardPass } from './backward';
import type { Composite } from './composites';
import { resolveRuleChoice } from './composites';
import {
  DisposedError,
  EmptyBatchError,
  InputShapeError,
  InputTypeError,
  ModelChangedError,
  NonFiniteInputError,
} from './errors';
import { runForward, type ForwardPass } from './forward';
import { assertForwardFinite } from './forward-check';
import type { Graph } from './graph/graph';
import { readComputed } from './read-computed';
import { resolveTarget } from './target';
import { traceOf } from './trace';
import type { ExplainOptions, Explanation, TraceLayer } from './types';

/** Dtypes read as numbers: the engine computes in float32 and converts the others. */
const NUMERIC_DTYPES: readonly tf.DataType[] = ['float32', 'int32', 'bool'];

/** Throws {@link InputTypeError} where `input`'s dtype cannot be read as numbers. */
export function assertNumericInput(input: tf.Tensor): void {
  if (!NUMERIC_DTYPES.includes(input.dtype)) throw new InputTypeError(input.dtype);
}

/** The checked float32 form of `input`: the model's shape, at least one sample, finite values. */
function checkedInput(graph: Graph, input: tf.Tensor): tf.Tensor {
  assertNumericInput(input);
  const expected = graph.inputShape;
  const actual = input.shape;
  const matches =
    actual.length === expected.length && expected.every((d, i) => d === null || d === actual[i]);
  if (!matches) {
    throw new InputShapeError(expected, actual, inputShapeHint(expected, actual));
  }
  if (actual[0] === 0) throw new EmptyBatchError(actual);
  // int32 and bool become float32 first, so every engine sees the same values (and isFinite is
  // defined for them on every engine).
  const asFloat = input.dtype === 'float32' ? input : tf.cast(input, 'float32');
  const nonFinite = tf.tidy(() => tf.logicalNot(tf.isFinite(asFloat)).sum().dataSync()[0]);
  if (nonFinite > 0) {
    if (asFloat !== input) asFloat.dispose();
    throw new NonFiniteInputError(nonFinite);
  }
  return asFloat;
}

/** How a session learns whether the model it was prepared from still has the same weights. */
export interface SessionOrigin {
  /** Whether the model's weights are still those of the prepared forward pass. */
  readonly isCurrent: () => boolean;
  /** Called once when the session is disposed. */
  readonly onDispose?: () => void;
}

/** The fix for an input of the wrong shape: a missing batch axis, or an image of another size. */
function inputShapeHint(
  expected: readonly (number | null)[],
  actual: readonly number[],
): string | undefined {
  const missingBatch =
    actual.length === expected.length - 1 &&
    expected.slice(1).every((d, i) => d === null || d === actual[i]);
  if (missingBatch)
    return 'The batch axis is missing: pass input.expandDims(0) to explain one sample.';
  if (expected.length === 4 && actual.length === 4) {
    const [, height, width, channels] = expected;
    return (
      `The image is ${actual[1]}×${actual[2]} with ${actual[3]} channel(s), the model reads ${height ?? 'any'}×${width ?? 'any'} with ${channels ?? 'any'}: ` +
      "load it fitted to the model with loadImage(file, { model }) (add fit: 'contain' to keep its shape, invert: true for dark-on-light digits)."
    );
  }
  return undefined;
}

/**
 * A forward pass kept in memory so that changing the rule or the target re-runs only the backward
 * pass — what an interactive widget does on every click.
 */
export class ExplanationSession {
  /** Pre-softmax outputs `[batch, classes]`. Owned by the session. */
  readonly logits: tf.Tensor2D;
  /** Arg-max class per sample. */
  readonly predicted: readonly number[];
  private readonly forward: ForwardPass;
  private disposed = false;

  constructor(
    private readonly graph: Graph,
    input: tf.Tensor,
    private readonly origin: SessionOrigin,
  ) {
    const asFloat = checkedInput(graph, input);
    try {
      this.forward = runForward(graph, asFloat);
    } finally {
      if (asFloat !== input) asFloat.dispose();
    }
    try {
      assertForwardFinite(graph, this.forward);
    } catch (error) {
      this.forward.dispose();
      throw error;
    }
    this.logits = this.forward.outputs[graph.outputId] as tf.Tensor2D;
    this.predicted = Array.from(readComputed(() => this.logits.argMax(1)));
  }

  /** Softmax probabilities `[batch, classes]` (a new tensor the caller owns). */
  probabilities(): tf.Tensor2D {
    this.assertAlive();
    return tf.softmax(this.logits);
  }

  /** Explains the kept forward pass with a rule and target (defaults: R-LRP, predicted class). */
  explain(options: ExplainOptions = {}): Explanation {
    return this.explainWith(options, false);
  }

  /**
   * One explanation, then the session is disposed: the backward pass releases each forward tensor
   * as soon as it has read it for the last time, which lowers the peak memory of one-shot
   * explanations (on wasm the heap keeps its high-water mark). Used by `explain()`.
   * @internal
   */
  explainOnce(options: ExplainOptions = {}): Explanation {
    try {
      return this.explainWith(options, true);
    } finally {
      this.dispose();
    }
  }

  /**
   * Explains as {@link explain} and reads the values `select` takes from the explanation, as
   * float32 (every tensor `select` makes is disposed after the read; tensors that existed before,
   * the explanation's own or the caller's, are left alone) in the same device transfer as the checks of the rule's unchecked steps (R-LRP, generalised
   * γ): one read for the explanation and what the caller draws of it, where {@link explain}
   * followed by a read of its own would make two. `values` is a fresh array. When a check fails,
   * the explanation is computed again with the checked steps and `select` runs again on it (a
   * second read, for the rare explanations float32 could not be trusted with).
   *
   * @example
   * ```ts
   * const { explanation, values } = session.explainAndRead({ rule: 'rlrp' }, (e) =>
   *   e.relevance.sum(-1).flatten(),
   * );
   * ```
   */
  explainAndRead(
    options: ExplainOptions,
    select: (explanation: Explanation) => tf.Tensor,
  ): { explanation: Explanation; values: Float32Array } {
    this.assertAlive();
    const { composite, classes, start } = this.startOf(options);
    try {
      const { made, values } = backwardRead(
        this.graph,
        this.forward,
        composite,
        start,
        options.trace === true,
        {
          make: (pass) => this.explanationOf(pass, composite.description, classes),
          read: (explanation, checks) => readTogether(checks, () => select(explanation)),
          dispose: (explanation) => explanation.dispose(),
        },
      );
      return { explanation: made, values };
    } finally {
      start.dispose();
    }
  }

  private explainWith(options: ExplainOptions, releaseForward: boolean): Explanation {
    this.assertAlive();
    const { composite, classes, start } = this.startOf(options);
    let backward;
    try {
      backward = runBackward(
        this.graph,
        this.forward,
        composite,
        start,
        options.trace === true,
        releaseForward,
      );
    } finally {
      start.dispose();
    }
    return this.explanationOf(backward, composite.description, classes);
  }

  /** The composite an explanation runs, the classes it explains, and its output relevance. */
  private startOf(options: ExplainOptions): {
    composite: Composite;
    classes: Explanation['target'];
    start: tf.Tensor2D;
  } {
    const composite = resolveRuleChoice(options.rule ?? 'rlrp');
    const target = resolveTarget(options.target ?? 'predicted', this.logits, this.predicted);
    // Composites only mix classical rules, which all start from the logit itself; a uniform rule
    // (R-LRP, Gradient × Input) is the composite's only rule. Either way rules[0] decides the start.
    const startingRule = composite.rules[0];
    const start = tf.tidy(
      () =>
        target.outputRelevance?.clone() ??
        startingRule.initialRelevance(this.logits, target.selection as tf.Tensor2D),
    ) as tf.Tensor2D;
    target.selection?.dispose();
    target.outputRelevance?.dispose();
    return { composite, classes: target.classes, start };
  }

  /** The explanation a backward pass gives (its tensors, the trace's and a copy of the logits). */
  private explanationOf(
    backward: BackwardPass,
    ruleDescription: string,
    classes: Explanation['target'],
  ): Explanation {
    const trace: TraceLayer[] | undefined = backward.perNode
      ? traceOf(this.graph, backward.perNode)
      : undefined;
    const logits = this.logits.clone();
    const relevance = backward.inputRelevance;
    let released = false;
    return {
      relevance,
      logits,
      target: classes,
      ruleDescription,
      trace,
      dispose() {
        if (released) return;
        released = true;
        relevance.dispose();
        logits.dispose();
        for (const layer of trace ?? []) layer.relevance.dispose();
      },
    };
  }

  /** Releases the kept forward pass. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.forward.dispose();
    this.origin.onDispose?.();
  }

  private assertAlive(): void {
    if (this.disposed) {
      throw new DisposedError('This explanation session was disposed; call prepare() again.');
    }
    // The kept forward pass and the graph's prepared kernels belong to the old weights: a map
    // from them would match neither the old model nor the new one.
    if (!this.origin.isCurrent()) {
      throw new ModelChangedError(
        "The model's weights changed (training, setWeights or loading) since this session was " +
          'prepared, so its forward pass is stale. Call prepare(model, input) again.',
      );
    }
  }
}

/**
 * One device read of `checks` (may be `null`) followed by the tensor `select` makes, as a fresh
 * float32 array; `checks` and every tensor `select` makes are disposed, tensors that existed before
 * (the explanation's, the caller's) are left alone. Read outside `tf.tidy`, which would walk every
 * value of the array.
 */
function readTogether(checks: tf.Tensor1D | null, select: () => tf.Tensor): Float32Array {
  let both: tf.Tensor | undefined;
  try {
    both = tf.tidy(() => {
      const flat = select().flatten().toFloat();
      return checks ? tf.concat([checks, flat]) : flat;
    });
    // A copy: the read may hand back storage that an explanation's own tensor shares.
    return (both.dataSync() as Float32Array).slice();
  } finally {
    checks?.dispose();
    both?.dispose();
  }
}
