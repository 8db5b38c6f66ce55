/**
 * The subpath exports of @rlrp/core's package.json, resolved as Node resolves them for a
 * dependant (the compiled @rlrp/widgets, tslab): `@rlrp/core/colormaps` loads the colour tables
 * without TensorFlow.js (the widget front-end bundles rely on that), and `dist/` is not reachable.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { compileProjects } from '../../../src/build/workspace-build';

const CORE = path.resolve(__dirname, '..');

// What Node resolves is the compiled package: bring dist/ up to date (a no-op when it is).
beforeAll(() => compileProjects(['packages/core']));

/** Runs `script` in a fresh Node process outside jest (jest maps @rlrp/core to the sources). */
function nodeEval(script: string): string {
  return execFileSync(process.execPath, ['-e', script], { cwd: CORE, encoding: 'utf8' }).trim();
}

it('@rlrp/core/colormaps resolves to the compiled colormaps and loads no tfjs', () => {
  const result = JSON.parse(
    nodeEval(`
      const resolved = require.resolve('@rlrp/core/colormaps');
      const { COLORMAP_NAMES } = require('@rlrp/core/colormaps');
      const tfjs = Object.keys(require.cache).filter((file) => file.includes('@tensorflow'));
      console.log(JSON.stringify({ resolved, names: COLORMAP_NAMES.length, tfjs: tfjs.length }));
    `),
  );
  expect(result.resolved).toBe(path.join(CORE, 'dist', 'heatmap', 'colormaps.js'));
  expect(result.names).toBeGreaterThan(0);
  expect(result.tfjs).toBe(0);
});

it('deep imports into dist/ are closed: only the exported subpaths resolve', () => {
  expect(
    nodeEval(`
      try { require.resolve('@rlrp/core/dist/heatmap/colormaps'); console.log('resolved'); }
      catch (error) { console.log(error.code); }
    `),
  ).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  expect(nodeEval(`console.log(require.resolve('@rlrp/core'))`)).toBe(
    path.join(CORE, 'dist', 'index.js'),
  );
});
