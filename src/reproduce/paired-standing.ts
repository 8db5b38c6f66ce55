/**
 * Whether R-LRP is first at one keep-top-k level, decided by paired tests on the same images rather
 * than by comparing point estimates: an exact two-sided McNemar test of R-LRP against every other
 * method, Holm-adjusted over those comparisons (the family is one model's comparisons at one k).
 */
import { holmAdjust, mcNemarPaired } from '@rlrp/core';

/** Significance level of the paired tests (family-wise, after Holm's adjustment). */
export const ALPHA = 0.05;

/** How R-LRP fared against one method. */
export type PairedOutcome = 'better' | 'worse' | 'no significant difference';

/** R-LRP against one method on the same images. */
export interface PairedComparison {
  /** The other method's name. */
  readonly method: string;
  /** Images only R-LRP classified right. */
  readonly referenceOnly: number;
  /** Images only the other method classified right. */
  readonly methodOnly: number;
  /** Exact two-sided McNemar p-value. */
  readonly pValue: number;
  /** Holm-adjusted p-value over every comparison of the family. */
  readonly adjustedP: number;
  /** From R-LRP's side; significant when `adjustedP ≤ ALPHA`. */
  readonly outcome: PairedOutcome;
}

/**
 * `first`: significantly better than every other method; `not first`: some method is significantly
 * better; `indistinguishable`: neither — no method is significantly better, but at least one is not
 * significantly worse (those are listed as `tiedWith`).
 */
export type Standing = 'first' | 'not first' | 'indistinguishable';

/** The verdict with the comparisons behind it. */
export interface PairedStanding {
  readonly standing: Standing;
  readonly comparisons: readonly PairedComparison[];
  /** Methods significantly better than R-LRP. */
  readonly betterThanReference: readonly string[];
  /** Methods R-LRP cannot be told apart from. */
  readonly tiedWith: readonly string[];
}

/**
 * Compare the reference method's per-image outcomes (1 = right) with each other method's on the
 * same images, and say whether the reference is first. Returns undefined without another method.
 */
export function pairedStanding(
  reference: ArrayLike<number>,
  others: readonly { readonly name: string; readonly correct: ArrayLike<number> }[],
  alpha = ALPHA,
): PairedStanding | undefined {
  if (others.length === 0) return undefined;
  const tests = others.map((other) => mcNemarPaired(reference, other.correct));
  const adjusted = holmAdjust(tests.map((t) => t.pValue));
  const comparisons = others.map((other, i): PairedComparison => {
    const { firstOnly, secondOnly, pValue } = tests[i];
    const significant = adjusted[i] <= alpha;
    const outcome: PairedOutcome = !significant
      ? 'no significant difference'
      : firstOnly > secondOnly
        ? 'better'
        : 'worse';
    return {
      method: other.name,
      referenceOnly: firstOnly,
      methodOnly: secondOnly,
      pValue,
      adjustedP: adjusted[i],
      outcome,
    };
  });
  const named = (outcome: PairedOutcome) =>
    comparisons.filter((c) => c.outcome === outcome).map((c) => c.method);
  const betterThanReference = named('worse');
  const tiedWith = named('no significant difference');
  const standing: Standing =
    betterThanReference.length > 0
      ? 'not first'
      : tiedWith.length > 0
        ? 'indistinguishable'
        : 'first';
  return { standing, comparisons, betterThanReference, tiedWith };
}
