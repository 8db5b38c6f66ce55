/**
 * Every jest file runs on the engine users get by default on this machine: the wasm backend,
 * loaded from the installed package (never a CDN), chosen the way users choose it.
 */
import { initEngine } from '../../packages/core/src/engine/init-engine';
import { releaseExplainCache } from '../../packages/core/src/recent-model';

beforeAll(async () => {
  await initEngine({ engine: 'wasm' });
});

// One-shot explain() keeps the engine's form of the model it explained last; start every test
// without it, so that a test's tensor counts see only its own tensors.
beforeEach(() => releaseExplainCache());
