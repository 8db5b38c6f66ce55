/**
 * Every jest file runs on the engine users get by default on this machine: the wasm backend,
 * loaded from the installed package (never a CDN), chosen the way users choose it.
 */
import { initEngine } from '../../packages/core/src/engine/initEngine';

beforeAll(async () => {
  await initEngine({ engine: 'wasm' });
});
