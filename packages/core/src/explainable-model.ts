import type * as tf from '@tensorflow/tfjs';
import { foldBatchNorm } from './canonizers';
import { DisposedError, ModelChangedError } from './errors';
import { buildGraph } from './graph/build-graph';
import type { Graph } from './graph/graph';
import { ExplanationSession } from './session';
import { assertWeightsFinite } from './weight-check';
import type { ExplainOptions, Explanation, PrepareOptions } from './types';

/** The data object behind each weight variable, or `null` for a disposed one. */
function weightDataOf(model: tf.LayersModel): (object | null)[] {
  return model.weights.map((w) => {
    try {
      return w.read().dataId;
    } catch {
      return null; // LayerVariable.read() throws once the model was disposed
    }
  });
}

/**
 * A model turned into the engine's graph once (batch norm folded unless switched off), ready to
 * explain many inputs. Use it in loops over a dataset. `prepare()` on a plain model builds a
 * private one; `explain()` keeps one for the model it explained last.
 *
 * The graph and the kernels its layers prepare belong to the weights it was built from, so once
 * the model's weights change, `prepare` throws {@link ModelChangedError}: build a new one.
 */
export class ExplainableModel {
  /** The graph the rules run on. */
  readonly graph: Graph;
  private readonly graphs: Graph[];
  /**
   * The weights' data objects when the graph was built. Training, `setWeights` and loading all go
   * through `Variable.assign`, which gives the variable new data, so identity tells a change.
   */
  private readonly weightData: readonly (object | null)[];
  private disposed = false;

  constructor(
    readonly model: tf.LayersModel,
    options: PrepareOptions = {},
  ) {
    this.weightData = weightDataOf(model);
    const plain = buildGraph(model);
    if (options.foldBatchNorm === false) {
      this.graph = plain;
      this.graphs = [plain];
    } else {
      const folded = foldBatchNorm(plain);
      this.graph = folded;
      this.graphs = [folded, plain];
    }
    try {
      assertWeightsFinite(model, this.graph);
    } catch (error) {
      for (const g of this.graphs) g.dispose();
      throw error;
    }
  }

  /** Whether the model's weights are still the ones the graph was built from. */
  isCurrent(): boolean {
    const now = weightDataOf(this.model);
    return now.length === this.weightData.length && now.every((d, i) => d === this.weightData[i]);
  }

  /** Runs and caches the forward pass of `input`; explain it with any rule and target afterwards. */
  prepare(input: tf.Tensor): ExplanationSession {
    if (this.disposed)
      throw new DisposedError('This ExplainableModel was disposed; create a new one.');
    if (!this.isCurrent()) {
      throw new ModelChangedError(
        "The model's weights changed (training, setWeights or loading) since this ExplainableModel " +
          'was built. Create a new ExplainableModel, or call explain()/prepare() on the model.',
      );
    }
    return new ExplanationSession(this.graph, input, { isCurrent: () => this.isCurrent() });
  }

  /** One explanation of `input`. */
  explain(input: tf.Tensor, options: ExplainOptions = {}): Explanation {
    return this.prepare(input).explainOnce(options);
  }

  /** Releases tensors the graph created (folded weights, cached kernels); the model is untouched. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const g of this.graphs) g.dispose();
  }
}
