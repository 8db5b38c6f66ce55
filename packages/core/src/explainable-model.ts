import type * as tf from '@tensorflow/tfjs';
import { foldBatchNorm } from './canonizers';
import { DisposedError } from './errors';
import { buildGraph } from './graph/build-graph';
import type { Graph } from './graph/graph';
import { ExplanationSession } from './session';
import type { ExplainOptions, Explanation, PrepareOptions } from './types';

/**
 * A model turned into the engine's graph once (batch norm folded unless switched off), ready to
 * explain many inputs. Use it in loops over a dataset; `prepare()` / `explain()` on a plain model
 * build a private one each time.
 */
export class ExplainableModel {
  /** The graph the rules run on. */
  readonly graph: Graph;
  private readonly graphs: Graph[];
  private disposed = false;

  constructor(
    readonly model: tf.LayersModel,
    options: PrepareOptions = {},
  ) {
    const plain = buildGraph(model);
    if (options.foldBatchNorm === false) {
      this.graph = plain;
      this.graphs = [plain];
    } else {
      const folded = foldBatchNorm(plain);
      this.graph = folded;
      this.graphs = [folded, plain];
    }
  }

  /** Runs and caches the forward pass of `input`; explain it with any rule and target afterwards. */
  prepare(input: tf.Tensor): ExplanationSession {
    if (this.disposed)
      throw new DisposedError('This ExplainableModel was disposed; create a new one.');
    return new ExplanationSession(this.graph, input);
  }

  /** One explanation of `input`. */
  explain(input: tf.Tensor, options: ExplainOptions = {}): Explanation {
    const session = this.prepare(input);
    try {
      return session.explain(options);
    } finally {
      session.dispose();
    }
  }

  /** Releases tensors the graph created (folded weights, cached kernels); the model is untouched. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const g of this.graphs) g.dispose();
  }
}
