import * as tf from '@tensorflow/tfjs';
import { massPerSample } from './rules/unit-scale';
import { DisposedError } from './errors';

/** Per-sample L1 mass and signed sum of one trace layer's relevance. */
export interface LayerStatistics {
  readonly mass: readonly number[];
  readonly sum: readonly number[];
}

/**
 * Mass Σ|R| and sum ΣR per sample of every layer of a trace, read from the device once, on first
 * use: an explorer click that only draws the maps (it reduces them itself) pays no read for them,
 * and any use pays one read for all layers instead of two per layer.
 */
export class TraceStatistics {
  private read: LayerStatistics[] | undefined;

  constructor(private readonly relevances: readonly tf.Tensor[]) {}

  /** The statistics of layer `index` (its position in the relevances given). */
  of(index: number): LayerStatistics {
    this.read ??= this.readAll();
    return this.read[index];
  }

  private readAll(): LayerStatistics[] {
    if (this.relevances.some((r) => r.isDisposed)) {
      throw new DisposedError(
        "The trace's relevance tensors were disposed before its mass, sum or vanished were read: " +
          'read them before disposing the explanation (or its trace tensors).',
      );
    }
    // Reduced inside tidy, read outside it: tidy would walk a returned typed array element by element.
    const packed = tf.tidy(() =>
      tf.concat(
        this.relevances.flatMap((relevance) => {
          return [massPerSample(relevance), relevance.reshape([relevance.shape[0], -1]).sum(1)];
        }),
      ),
    );
    let values: Float32Array;
    try {
      values = packed.dataSync() as Float32Array;
    } finally {
      packed.dispose();
    }
    let offset = 0;
    return this.relevances.map((relevance) => {
      const batch = relevance.shape[0];
      const mass = Array.from(values.subarray(offset, offset + batch));
      const sum = Array.from(values.subarray(offset + batch, offset + 2 * batch));
      offset += 2 * batch;
      return { mass, sum };
    });
  }
}
