import type * as tf from '@tensorflow/tfjs';
import type { GraphNode } from '../graph/graph';
import type { LinearOp } from '../layers/linear-op';

/** What a rule sees of one linear layer during the backward pass. */
export interface LinearContext {
  readonly node: GraphNode;
  readonly op: LinearOp;
  /** The layer's input activation `a`, batch axis first. */
  readonly input: tf.Tensor;
  /** The layer's pre-activation output `z = W a + b`. */
  readonly output: tf.Tensor;
}

/**
 * A relevance rule. Rules are data-like objects made by the factory functions in `rules/` (one file
 * per rule family); everything that is not a linear layer or an Add is handled the same way for
 * every rule (activations pass relevance through, max pooling routes it to the winner, reshapes
 * invert), so a rule only says how relevance crosses a linear layer and an Add.
 */
export interface Rule {
  /** Short machine name, e.g. `epsilon`. */
  readonly name: string;
  /** Human-readable name with parameters, e.g. `LRP-ε (ε = 1e-6)`. */
  readonly description: string;
  /**
   * `relevance` for LRP rules; `gradient` for Gradient × Input, whose backward pass carries the
   * gradient and turns it into relevance (activation ⊙ gradient) only when reported.
   */
  readonly propagates: 'relevance' | 'gradient';
  /** Whether the rule must be used for every layer (R-LRP, Gradient × Input) rather than mixed in a composite. */
  readonly uniformOnly: boolean;
  /** The relevance at the output, from the logits and the one-hot selection of the target. */
  initialRelevance(logits: tf.Tensor2D, selection: tf.Tensor2D): tf.Tensor2D;
  /** Relevance of a linear layer's input from the relevance of its pre-activation output. */
  linear(context: LinearContext, relevance: tf.Tensor): tf.Tensor;
  /**
   * Optional: the linear and Add steps without reading the device, for rules whose steps read a
   * few values each to decide whether a fast form can be trusted. The backward pass then reads
   * every step's check at once after the pass, and runs the pass again with `linear` and `add`
   * when one fails (runBackward).
   */
  readonly unchecked?: UncheckedSteps;
  /** Relevance of each summand of an Add layer `y = Σ u_i`. */
  add(inputs: readonly tf.Tensor[], output: tf.Tensor, relevance: tf.Tensor): tf.Tensor[];
}

/** A step computed without reading the device, and what decides whether it can be trusted. */
export interface Unchecked<T> {
  /** The step's result. */
  readonly value: T;
  /** Small: a few values per sample. */
  readonly check: tf.Tensor;
  /** Whether the step whose check read `values` is exactly what the checked step returns. */
  readonly trusts: (values: Float32Array) => boolean;
}

/** A rule's steps computed without reading the device (see {@link Rule.unchecked}). */
export interface UncheckedSteps {
  linear?(context: LinearContext, relevance: tf.Tensor): Unchecked<tf.Tensor>;
  add?(
    inputs: readonly tf.Tensor[],
    output: tf.Tensor,
    relevance: tf.Tensor,
  ): Unchecked<tf.Tensor[]>;
}
