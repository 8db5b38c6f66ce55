/**
 * A slice of `npm run fuzz` in every test run: random networks of every supported layer kind at
 * every float32 scale, explained with every rule and preset. R-LRP must never return a non-finite
 * value where the forward pass is finite (property P4); the full command runs ≥ 10,000 networks.
 */
import * as tf from '@tensorflow/tfjs';
import { releaseExplainCache, RULE_CHOICES } from '@rlrp/core';
import { fuzzRules } from '../../src/fuzz/fuzz-rules';
import { RANDOM_NETWORK_NAMES } from '../../packages/core/test/reference/random-networks';

describe('npm run fuzz, a slice of 240 networks', () => {
  it('R-LRP: no non-finite value; every rule ran on the finite cases; no tensor left behind', () => {
    const before = tf.memory().numTensors;
    // Seeds past the ones the full command starts with, so the slice adds coverage to it.
    const result = fuzzRules({ networks: 240, firstSeed: 1_000_001 });
    releaseExplainCache();
    const rlrp = result.rules.find((r) => r.rule === 'rlrp');
    expect(rlrp).toBeDefined();
    expect({ nonFinite: rlrp!.nonFiniteValues, examples: rlrp!.examples }).toEqual({
      nonFinite: 0,
      examples: [],
    });
    expect(rlrp!.typedErrors).toEqual({});
    // The slice means something only if most networks were explained and every family came up.
    expect(rlrp!.explained).toBeGreaterThan(0.7 * result.networks);
    expect(Object.keys(result.families).sort()).toEqual([...RANDOM_NETWORK_NAMES].sort());
    expect(result.rules.map((r) => r.rule)).toEqual(RULE_CHOICES);
    for (const r of result.rules) expect(r.explained).toBe(rlrp!.explained);
    expect(tf.memory().numTensors).toBe(before);
  });
});
