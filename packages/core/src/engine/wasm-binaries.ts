import * as path from 'path';

/**
 * The directory of the installed `@tensorflow/tfjs-backend-wasm` package that holds its `.wasm`
 * binaries, with a trailing separator as `setWasmPaths` expects. The wasm engine is loaded from
 * here so that it works offline (never from a CDN).
 */
export function wasmBinaryDirectory(): string {
  const wasmFile = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
  return path.dirname(wasmFile) + path.sep;
}
