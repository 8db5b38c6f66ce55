/**
 * npm run fuzz [-- --networks 10000 --first-seed 1 --rules rlrp,epsilon]
 *
 * Explains random networks of every supported layer kind at every float32 scale (inputs and
 * kernels from 1e-38 to 1e38, denormals, exact zeros, all-zero inputs, dead channels) with every
 * rule and preset, and prints one JSON line per rule with its non-finite counts, then one line for
 * the run. Exits 1 if R-LRP returned a single non-finite value (its promise, property P4).
 * Progress goes to stderr, so stdout is only JSON.
 */
import { initEngine, RULE_CHOICES } from '@rlrp/core';
import { argument } from '../bench/command-line';
import { fuzzRules } from './fuzz-rules';

function positiveInteger(name: string, fallback: number): number {
  const raw = argument(`--${name}`);
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} takes a whole number ≥ 1 (got ${raw}).`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const networks = positiveInteger('networks', 10_000);
  const firstSeed = positiveInteger('first-seed', 1);
  const rules = argument('--rules')?.split(',');
  const unknown = rules?.filter((r) => !RULE_CHOICES.includes(r)) ?? [];
  if (unknown.length > 0) {
    console.error(`Unknown rule(s) ${unknown.join(', ')}; known: ${RULE_CHOICES.join(', ')}.`);
    process.exit(2);
  }
  const engine = await initEngine({ engine: 'wasm' });
  const started = Date.now();
  let lastReport = started;
  const result = fuzzRules({
    networks,
    firstSeed,
    rules,
    onProgress: (done) => {
      if (Date.now() - lastReport >= 10_000 || done === networks) {
        lastReport = Date.now();
        const seconds = Math.round((lastReport - started) / 1000);
        process.stderr.write(`fuzz: ${done}/${networks} networks (${seconds} s)\n`);
      }
    },
  });
  for (const r of result.rules) {
    console.log(
      JSON.stringify({
        rule: r.rule,
        networks: result.networks,
        explained: r.explained,
        non_finite_explanations: r.nonFiniteExplanations,
        non_finite_values: r.nonFiniteValues,
        typed_errors: r.typedErrors,
        examples: r.examples,
      }),
    );
  }
  console.log(
    JSON.stringify({
      summary: 'fuzz',
      engine: engine.name,
      networks: result.networks,
      first_seed: firstSeed,
      rejected_before_explaining: result.rejected,
      families: result.families,
      seconds: Math.round((Date.now() - started) / 1000),
    }),
  );
  const rlrp = result.rules.find((r) => r.rule === 'rlrp');
  if (rlrp && rlrp.nonFiniteValues > 0) process.exit(1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
