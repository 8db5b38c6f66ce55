/**
 * One jest run covers every workspace. Sources are transpiled by ts-jest without type checking
 * (`isolatedModules`): `npm run build` type-checks the whole tree with `tsc -b` before jest runs.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/widgets', '<rootDir>/test'],
  testMatch: ['**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // The built JupyterLab extension carries a copy of its package.json (same package name).
  modulePathIgnorePatterns: ['<rootDir>/widgets/labextension/prebuilt/'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { isolatedModules: true, diagnostics: false }],
  },
  moduleNameMapper: {
    '^@rlrp/core$': '<rootDir>/packages/core/src/index.ts',
    '^@rlrp/core/colormaps$': '<rootDir>/packages/core/src/heatmap/colormaps.ts',
    '^@rlrp/datasets$': '<rootDir>/packages/datasets/src/index.ts',
    '^@rlrp/widgets$': '<rootDir>/widgets/src/index.ts',
    '^tslab-widgets$': '<rootDir>/packages/tslab-widgets/src/index.ts',
  },
  setupFilesAfterEnv: ['<rootDir>/test/setup/engine.ts'],
  testTimeout: 120000,
  maxWorkers: 2,
};
