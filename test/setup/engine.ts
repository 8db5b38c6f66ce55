/**
 * Every jest file runs on the engine users get by default on this machine: the wasm backend,
 * loaded from the installed package (never a CDN).
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as path from 'path';

beforeAll(async () => {
  if (tf.getBackend() === 'wasm') return;
  const wasmDir = path.dirname(
    require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'),
  );
  setWasmPaths(wasmDir + path.sep);
  await tf.setBackend('wasm');
  await tf.ready();
});
