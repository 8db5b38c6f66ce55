/**
 * Reads an engine explanation with its trace into plain per-sample arrays (and disposes it), so
 * property tests can check masses and single steps against the reference.
 */
import type { RuleChoice, Target } from '@rlrp/core';
import { perSample, type Fixture } from './engine-harness';

/** One trace layer, per sample. */
export interface PlainTraceLayer {
  readonly name: string;
  readonly className: string;
  readonly outputShape: readonly number[];
  readonly mass: readonly number[];
  readonly sum: readonly number[];
  readonly vanished: readonly boolean[];
  readonly relevance: Float32Array[];
}

/** A whole explanation as plain arrays. */
export interface PlainExplanation {
  readonly input: Float32Array[];
  readonly logits: Float32Array[];
  readonly target: readonly number[];
  readonly layers: readonly PlainTraceLayer[];
  /** Trace layers by name. */
  readonly byName: ReadonlyMap<string, PlainTraceLayer>;
}

/** Explains with `trace: true` and copies everything out. */
export function explainWithTrace(
  fixture: Fixture,
  rule: RuleChoice,
  target: Target,
): PlainExplanation {
  const e = fixture.session.explain({ rule, target, trace: true });
  try {
    const layers = (e.trace ?? []).map((l) => ({
      name: l.name,
      className: l.className,
      outputShape: [...l.outputShape],
      mass: [...l.mass],
      sum: [...l.sum],
      vanished: [...l.vanished],
      relevance: perSample(l.relevance),
    }));
    return {
      input: perSample(e.relevance),
      logits: perSample(e.logits),
      target: [...e.target],
      layers,
      byName: new Map(layers.map((l) => [l.name, l])),
    };
  } finally {
    e.dispose();
  }
}
