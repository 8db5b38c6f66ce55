import * as tf from '@tensorflow/tfjs';
import type { LinearParams } from './linear-op';

const positivePart = (t: tf.Tensor) => tf.relu(t);
const negativePart = (t: tf.Tensor) => tf.neg(tf.relu(tf.neg(t)));

/**
 * A parameter-free rewrite of a layer's weights that rules use: `w` (bias dropped), `w⁺`, `w⁻`,
 * with or without the matching bias part, `w²` and all-ones. Parametrised rewrites (LRP-γ's
 * `w + γw⁺`) are made per call instead, so that what a layer keeps stays bounded.
 */
export type WeightRewrite = 'w' | 'w+' | 'w-' | 'w+ b+' | 'w- b-' | 'w²' | 'ones';

/** How the weights are rewritten, and the bias (`null`: dropped). */
interface Rewrite {
  readonly weight: (t: tf.Tensor) => tf.Tensor;
  readonly bias: ((t: tf.Tensor) => tf.Tensor) | null;
  /** The rewrite whose weights these share (`w⁺` with or without `b⁺`). */
  readonly sharesWeightWith?: WeightRewrite;
}

const REWRITES: Readonly<Record<WeightRewrite, Rewrite>> = {
  w: { weight: (t: tf.Tensor) => t, bias: null },
  'w+': { weight: positivePart, bias: null },
  'w-': { weight: negativePart, bias: null },
  'w+ b+': { weight: positivePart, bias: positivePart, sharesWeightWith: 'w+' },
  'w- b-': { weight: negativePart, bias: negativePart, sharesWeightWith: 'w-' },
  'w²': { weight: (t: tf.Tensor) => tf.square(t), bias: null },
  ones: { weight: (t: tf.Tensor) => tf.onesLike(t), bias: null },
};

/**
 * A layer's rewritten parameters, made on first use and kept with the layer: a rule asks for the
 * same `w⁺` on every explanation, and the layer can then also keep what it prepares for them
 * (a flipped kernel, Winograd's matrices) instead of redoing it per call.
 */
export class DerivedParams {
  private readonly kept = new Map<WeightRewrite, LinearParams>();

  constructor(private readonly own: LinearParams) {}

  /** The layer's parameters rewritten by `rewrite` (kept; the layer disposes them). */
  get(rewrite: WeightRewrite): LinearParams {
    let params = this.kept.get(rewrite);
    if (!params) {
      const { weight, bias, sharesWeightWith } = REWRITES[rewrite];
      const ownBias = this.own.bias;
      const keep = (t: tf.Tensor) => (this.isOwn(t) ? t : tf.keep(t));
      params = {
        weight: sharesWeightWith
          ? this.get(sharesWeightWith).weight
          : keep(tf.tidy(() => weight(this.own.weight))),
        bias: bias && ownBias ? keep(tf.tidy(() => bias(ownBias))) : null,
      };
      this.kept.set(rewrite, params);
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
