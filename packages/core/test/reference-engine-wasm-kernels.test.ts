/**
 * The engine against the independent reference once more, on the wasm engine's own kernels (the
 * native ones switched off): they are what runs wherever the native kernels are not built, and
 * Winograd's, the polyphase and the spreading transposes run only there.
 */
import { initEngine } from '../src/engine/init-engine';
import { nativeKernelsActive } from '../src/engine/native-kernels';
import './reference-engine.test';

beforeAll(async () => {
  await initEngine({ engine: 'wasm', nativeKernels: false });
});

afterAll(async () => {
  await initEngine({ engine: 'wasm' });
});

it("runs on the wasm engine's own kernels", () => {
  expect(nativeKernelsActive()).toBe(false);
});
