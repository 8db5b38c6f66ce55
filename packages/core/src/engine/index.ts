// Engine choice: which tfjs backend @rlrp/core runs on.
export { ENGINE_ENV_VAR, ENGINE_NAMES, parseEngineRequest } from './engine-name';
export type { EngineName, EngineRequest } from './engine-name';
export { currentEngine, initEngine } from './init-engine';
export type { EngineAttempt, EngineInfo, InitEngineOptions } from './init-engine';
export { requireModule } from './module-loader';
export type { ModuleLoader } from './module-loader';
export { wasmBinaryDirectory } from './wasm-binaries';
