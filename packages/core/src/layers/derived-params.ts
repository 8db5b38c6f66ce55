import * as tf from '@tensorflow/tfjs';
import type { LinearParams } from './linear-op';

const positivePart = (t: tf.Tensor) => tf.relu(t);
/** `min(0, t)`: the negative part, shared by the rewrites and the rules' input modifiers. */
export const negativePart = (t: tf.Tensor): tf.Tensor => tf.neg(tf.relu(tf.neg(t)));

/**
 * A parameter-free rewrite of a layer's weights that rules use: `w` (bias dropped), `w⁺`, `w⁻`,
 * with or without the matching bias part, `w²` with or without `b²`, and all-ones. Parametrised
 * rewrites (LRP-γ's `w + γw⁺`) are asked for with {@link DerivedParams.custom} under a key per
 * parameter value, so a layer keeps one copy per value a caller actually uses.
 */
export type WeightRewrite = 'w' | 'w+' | 'w-' | 'w+ b+' | 'w- b-' | 'w²' | 'w² b²' | 'ones';

/** How the weights are rewritten, and the bias (`null`: dropped). */
export interface Rewrite {
  readonly weight: (t: tf.Tensor) => tf.Tensor;
  readonly bias: ((t: tf.Tensor) => tf.Tensor) | null;
  /** The key of the rewrite whose weights these share (`w⁺` with or without `b⁺`). */
  readonly sharesWeightWith?: string;
}

const REWRITES: Readonly<Record<WeightRewrite, Rewrite>> = {
  w: { weight: (t: tf.Tensor) => t, bias: null },
  'w+': { weight: positivePart, bias: null },
  'w-': { weight: negativePart, bias: null },
  'w+ b+': { weight: positivePart, bias: positivePart, sharesWeightWith: 'w+' },
  'w- b-': { weight: negativePart, bias: negativePart, sharesWeightWith: 'w-' },
  'w²': { weight: (t: tf.Tensor) => tf.square(t), bias: null },
  'w² b²': {
    weight: (t: tf.Tensor) => tf.square(t),
    bias: (t: tf.Tensor) => tf.square(t),
    sharesWeightWith: 'w²',
  },
  ones: { weight: (t: tf.Tensor) => tf.onesLike(t), bias: null },
};

/**
 * A layer's rewritten parameters, made on first use and kept with the layer: a rule asks for the
 * same `w⁺` on every explanation, and the layer can then also keep what it prepares for them
 * (a flipped kernel, Winograd's matrices) instead of redoing it per call.
 */
export class DerivedParams {
  private readonly kept = new Map<string, LinearParams>();

  constructor(private readonly own: LinearParams) {}

  /** The layer's parameters rewritten by `rewrite` (kept; the layer disposes them). */
  get(rewrite: WeightRewrite): LinearParams {
    return this.custom(rewrite, REWRITES[rewrite]);
  }

  /**
   * The layer's parameters rewritten by `rewrite`, kept under `key` (which must name the rewrite
   * and every parameter value in it, e.g. `w+0.25w+ b+0.25b+`). A `sharesWeightWith` key must have
   * been asked for with its own rewrite before, or be a {@link WeightRewrite}.
   */
  custom(key: string, rewrite: Rewrite): LinearParams {
    let params = this.kept.get(key);
    if (!params) {
      const { weight, bias, sharesWeightWith } = rewrite;
      const ownBias = this.own.bias;
      const keep = (t: tf.Tensor) => (this.isOwn(t) ? t : tf.keep(t));
      const shared = sharesWeightWith
        ? (this.kept.get(sharesWeightWith) ?? this.get(sharesWeightWith as WeightRewrite))
        : null;
      params = {
        weight: shared ? shared.weight : keep(tf.tidy(() => weight(this.own.weight))),
        bias: bias && ownBias ? keep(tf.tidy(() => bias(ownBias))) : null,
      };
      this.kept.set(key, params);
    }
    return params;
  }

  /** Whether `params` is one of the kept rewrites. */
  has(params: LinearParams): boolean {
    for (const kept of this.kept.values()) if (kept === params) return true;
    return false;
  }

  /** Releases the kept rewrites (never the layer's own tensors, which `w` shares). */
  dispose(): void {
    const made = new Set<tf.Tensor>();
    for (const { weight, bias } of this.kept.values()) {
      for (const t of [weight, bias]) if (t && !this.isOwn(t)) made.add(t);
    }
    for (const t of made) t.dispose();
    this.kept.clear();
  }

  private isOwn(t: tf.Tensor): boolean {
    return t === this.own.weight || t === this.own.bias;
  }
}
