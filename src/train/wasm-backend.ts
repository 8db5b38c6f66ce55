/**
 * Training runs on the wasm backend (chosen through @rlrp/core's engine choice, so the .wasm files
 * come from the installed package), with the kernels training needs that tfjs-wasm lacks.
 */
import { initEngine } from '@rlrp/core';

/** Switch tfjs to the wasm backend and add the kernels training needs. */
export async function useWasmBackend(): Promise<void> {
  await initEngine({ engine: 'wasm', training: true });
}
