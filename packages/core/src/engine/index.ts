// Engine choice: which tfjs backend @rlrp/core runs on, on how many threads.
export { ENGINE_ENV_VAR, ENGINE_NAMES, parseEngineRequest } from './engine-name';
export type { EngineName, EngineRequest } from './engine-name';
export { currentEngine, initEngine } from './init-engine';
export type { EngineAttempt, EngineInfo, EngineThreads, InitEngineOptions } from './init-engine';
export { requireModule } from './module-loader';
export type { ModuleLoader } from './module-loader';
export { nativeFilterCache, NATIVE_KERNELS_ENV_VAR } from './native-kernels';
export type { EngineNativeKernels } from './native-kernels';
export type { PackedFilterCacheUsage } from './packed-filter-cache';
export { wasmBinaryDirectory } from './wasm-binaries';
export { MAX_WASM_THREADS, WASM_THREADS_ENV_VAR } from './wasm-thread-request';
export type { WasmThreadsRequest } from './wasm-thread-request';
export { ExplainPool } from './explain-pool';
export type { ExplainPoolOptions, PoolExplainOptions } from './explain-pool';
export type { PoolComparisonSet, PoolMethod, PoolScoresSet } from './explain-pool-protocol';
export { closeComparisonWorkers } from './reusable-pools';
export { SliceQueue } from './slice-queue';
