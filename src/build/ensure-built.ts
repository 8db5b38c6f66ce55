/**
 * Builds what an npm script is about to load, so that it runs on a clone where only `npm ci` ran
 * instead of failing with "Cannot find module …/dist/index.js". Incremental: when the compiled
 * packages are current it costs one `tsc -b` up-to-date check.
 *
 *   tsx src/build/ensure-built.ts [--frontends] <project directory>...
 *
 * `--frontends` also bundles the widget front ends (what `@rlrp/widgets`' HTML figures inline).
 */
import { bundleFrontends, compileProjects } from './workspace-build';

const args = process.argv.slice(2);
const projects = args.filter((arg) => arg !== '--frontends');
const unknownOption = projects.find((arg) => arg.startsWith('-'));
try {
  if (projects.length === 0 || unknownOption !== undefined) {
    throw new Error(
      `ensure-built: ${unknownOption === undefined ? 'no project named' : `unknown option ${unknownOption}`}. ` +
        'Usage: tsx src/build/ensure-built.ts [--frontends] <project directory>... ' +
        '(e.g. packages/core packages/datasets widgets)',
    );
  }
  compileProjects(projects);
  if (args.includes('--frontends')) bundleFrontends();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  console.error('Run `npm run build` to build everything and see its errors in full.');
  process.exit(1);
}
