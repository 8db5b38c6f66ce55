/**
 * The independent reference of @rlrp/core's rules: plain float64 TypeScript, no tfjs computation
 * (tfjs is only used to read a model's configs and weights and, in random-networks, to build models).
 */
export * from './activations';
export * from './linear-maps';
export * from './network';
export * from './forward';
export * from './hand-set-conv';
export * from './rules';
export * from './propagate';
export * from './random';
export * from './random-networks';
export * from './set-layer-weights';
export * from './tolerance';
// engine-cases imports @rlrp/core, so it is imported directly by the tests that compare with the engine.
