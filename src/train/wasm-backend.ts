/**
 * Put tfjs on the wasm backend, loading the .wasm files from the installed package (never a CDN).
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as path from 'path';
import { registerWasmTrainingKernels } from './wasm-training-kernels';

/** Switch tfjs to the wasm backend and add the kernels training needs. */
export async function useWasmBackend(): Promise<void> {
  if (tf.getBackend() !== 'wasm') {
    const wasmDir = path.dirname(
      require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'),
    );
    setWasmPaths(wasmDir + path.sep);
    await tf.setBackend('wasm');
    await tf.ready();
  }
  registerWasmTrainingKernels();
}
