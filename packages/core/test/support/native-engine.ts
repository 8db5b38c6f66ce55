import { initEngine } from '../../src/engine/init-engine';

/** The wasm engine with its native kernels (oneDNN), which `npm test` builds. */
export const NATIVE = { engine: 'wasm', nativeKernels: true } as const;

/** The wasm engine on its own kernels: what runs where the native ones are not built. */
export const WASM_OWN = { engine: 'wasm', nativeKernels: false } as const;

/**
 * Registers, in the test file it is called from, the native engine before its first test and
 * again after its last: a test that switched to {@link WASM_OWN} leaves no other file without it.
 */
export function withNativeEngine(): void {
  beforeAll(async () => {
    await initEngine(NATIVE);
  });
  afterAll(async () => {
    await initEngine(NATIVE);
  });
}
