// Engine choice: which tfjs backend @rlrp/core runs on.
export { ENGINE_ENV_VAR, ENGINE_NAMES, parseEngineRequest } from './engineName';
export type { EngineName, EngineRequest } from './engineName';
export { currentEngine, initEngine } from './initEngine';
export type { EngineAttempt, EngineInfo, InitEngineOptions } from './initEngine';
export { requireModule } from './moduleLoader';
export type { ModuleLoader } from './moduleLoader';
export { wasmBinaryDirectory } from './wasmBinaries';
