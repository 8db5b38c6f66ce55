/**
 * The public shapes of an explanation: what goes into `explain()` and what comes back.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Rule } from './rules/rule';
import type { Composite } from './composites';

/** Names of the single rules, usable wherever a rule is asked for. */
export type RuleName =
  | 'rlrp'
  | 'lrp0'
  | 'epsilon'
  | 'gamma'
  | 'alpha1beta0'
  | 'alpha2beta1'
  | 'zplus'
  | 'zbox'
  | 'wsquare'
  | 'flat'
  | 'gradient-x-input';

/** Names of the composite presets (as in zennit). */
export type PresetName =
  | 'EpsilonPlus'
  | 'EpsilonPlusFlat'
  | 'EpsilonGammaBox'
  | 'EpsilonAlpha2Beta1'
  | 'EpsilonAlpha2Beta1Flat';

/** What decides the rule per layer: a name, a configured rule (applied uniformly), or a composite. */
export type RuleChoice = RuleName | PresetName | Rule | Composite;

/**
 * Which output to explain.
 * - a class index: the same class for every sample of the batch;
 * - `'predicted'`: each sample's arg-max class;
 * - an array of class indices: one per sample;
 * - `{ outputRelevance }`: the relevance to start from at the output, one vector per sample
 *   (shape `[classes]` for all samples or `[batch, classes]`).
 */
export type Target =
  | number
  | 'predicted'
  | readonly number[]
  | { readonly outputRelevance: readonly number[] | readonly (readonly number[])[] | tf.Tensor };

/** Options of one explanation. */
export interface ExplainOptions {
  /** Rule, preset or composite; default `'rlrp'`. */
  readonly rule?: RuleChoice;
  /** Output to explain; default `'predicted'`. */
  readonly target?: Target;
  /** Keep the relevance of every layer (the trace); default `false`. */
  readonly trace?: boolean;
}

/** Options of `prepare()`. */
export interface PrepareOptions {
  /** Fold BatchNormalization into the preceding Dense/Conv layer; default `true` for every rule. */
  readonly foldBatchNorm?: boolean;
}

/** One layer of a trace, in backward order (output layer first, input last). */
export interface TraceLayer {
  /** Position in the trace (0 = output layer). */
  readonly index: number;
  /** The layer's name in the model (canonizer-merged layers keep the linear layer's name). */
  readonly name: string;
  /** The layer's Keras class name (`Dense`, `Conv2D`, …; `InputLayer` for the input). */
  readonly className: string;
  /** Shape of the layer's output without the batch axis. */
  readonly outputShape: readonly number[];
  /** Relevance of the layer's output, shape `[batch, ...outputShape]`. Owned by the caller. */
  readonly relevance: tf.Tensor;
  /** L1 mass Σ|R| per sample. */
  readonly mass: readonly number[];
  /** Signed sum ΣR per sample. */
  readonly sum: readonly number[];
  /** Per sample: whether all relevance vanished at this layer (R-LRP then returns zeros below). */
  readonly vanished: readonly boolean[];
}

/** The result of one explanation. Dispose it (or its tensors) when done. */
export interface Explanation {
  /** Input relevance, shaped like the input (batch axis included). */
  readonly relevance: tf.Tensor;
  /** Pre-softmax outputs `[batch, classes]` (a final softmax is stripped). */
  readonly logits: tf.Tensor2D;
  /** The explained class per sample (`-1` where an explicit output relevance was given). */
  readonly target: readonly number[];
  /** Human-readable description of the rule or composite used. */
  readonly ruleDescription: string;
  /** Per-layer relevance when `trace: true` was asked for. */
  readonly trace?: readonly TraceLayer[];
  /** Release every tensor of this explanation (relevance, logits copy and trace). */
  dispose(): void;
}
