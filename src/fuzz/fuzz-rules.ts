/**
 * Explains random networks at every float32 scale with every rule and preset and counts what is
 * not finite (`npm run fuzz`; a slice runs in `npm test`). The cases come from the same generator
 * as the finiteness property tests (packages/core/test/reference/scaled-cases.ts), so any case the
 * fuzz reports can be rebuilt there from its numbers.
 */
import * as tf from '@tensorflow/tfjs';
import {
  prepare,
  RlrpError,
  RULE_CHOICES,
  type ExplanationSession,
  type RuleChoice,
} from '@rlrp/core';
import {
  buildScaledCase,
  describeScaledCase,
  scaledCaseOf,
  type ScaledCase,
} from '../../packages/core/test/reference/scaled-cases';

/** What one rule did over the fuzzed networks. */
export interface RuleFuzzCount {
  readonly rule: string;
  /** Networks whose forward pass was finite, so the rule explained them. */
  readonly explained: number;
  /** Explanations with at least one NaN or ±Infinity in the input relevance. */
  readonly nonFiniteExplanations: number;
  /** NaN or ±Infinity values over all of them. */
  readonly nonFiniteValues: number;
  /** Typed errors (RlrpError) the rule threw on a finite forward pass, by class. */
  readonly typedErrors: Readonly<Record<string, number>>;
  /** The first few cases with non-finite values, to rebuild them. */
  readonly examples: readonly string[];
}

/** The whole run. */
export interface FuzzResult {
  readonly networks: number;
  /** Networks whose forward pass could not be explained, by typed error (ForwardOverflowError, …). */
  readonly rejected: Readonly<Record<string, number>>;
  /** Networks per family. */
  readonly families: Readonly<Record<string, number>>;
  readonly rules: readonly RuleFuzzCount[];
}

/** Options of {@link fuzzRules}. */
export interface FuzzOptions {
  /** How many networks (cases `firstSeed … firstSeed + networks − 1`). */
  readonly networks: number;
  readonly firstSeed?: number;
  /** Rule and preset names; default every one (RULE_CHOICES). */
  readonly rules?: readonly string[];
  /** Called after each network with the count done. */
  readonly onProgress?: (done: number) => void;
}

const MAX_EXAMPLES = 5;

interface MutableCount {
  explained: number;
  nonFiniteExplanations: number;
  nonFiniteValues: number;
  typedErrors: Record<string, number>;
  examples: string[];
}

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** Explains one prepared case with one rule and adds what it found to `count`. */
function explainInto(
  session: ExplanationSession,
  rule: RuleChoice,
  label: string,
  count: MutableCount,
): void {
  count.explained++;
  try {
    const e = session.explain({ rule });
    const values = e.relevance.dataSync();
    e.dispose();
    let bad = 0;
    for (const v of values) if (!Number.isFinite(v)) bad++;
    if (bad > 0) {
      count.nonFiniteExplanations++;
      count.nonFiniteValues += bad;
      if (count.examples.length < MAX_EXAMPLES) count.examples.push(label);
    }
  } catch (error) {
    if (!(error instanceof RlrpError)) throw error;
    bump(count.typedErrors, error.name);
  }
}

/** Runs the fuzz: every case is built, prepared once, and explained with every rule. */
export function fuzzRules(options: FuzzOptions): FuzzResult {
  const rules = options.rules ?? RULE_CHOICES;
  const firstSeed = options.firstSeed ?? 1;
  const counts = new Map<string, MutableCount>(
    rules.map((rule) => [
      rule,
      { explained: 0, nonFiniteExplanations: 0, nonFiniteValues: 0, typedErrors: {}, examples: [] },
    ]),
  );
  const rejected: Record<string, number> = {};
  const families: Record<string, number> = {};
  for (let i = 0; i < options.networks; i++) {
    const c: ScaledCase = scaledCaseOf(firstSeed + i);
    const label = `case ${firstSeed + i}: ${describeScaledCase(c)}`;
    bump(families, c.network);
    tf.tidy(() => {
      const built = buildScaledCase(c);
      try {
        let session: ExplanationSession;
        try {
          session = prepare(built.net.model, built.input);
        } catch (error) {
          if (!(error instanceof RlrpError)) throw error;
          bump(rejected, error.name);
          return;
        }
        try {
          for (const rule of rules) {
            // Names outside RULE_CHOICES reach the engine too: it answers UnknownRuleError.
            explainInto(session, rule as RuleChoice, label, counts.get(rule)!);
          }
        } finally {
          session.dispose();
        }
      } finally {
        built.dispose();
      }
    });
    options.onProgress?.(i + 1);
  }
  return {
    networks: options.networks,
    rejected,
    families,
    rules: rules.map((rule) => ({ rule, ...counts.get(rule)! })),
  };
}
