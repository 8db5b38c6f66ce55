/**
 * Engine benchmark: how much an explanation costs compared with the model's own forward pass.
 *
 *   npm run bench                      all cases, one JSON object per line
 *   npm run bench -- --cases vgg16     only the cases whose model name contains "vgg16"
 *   npm run bench -- --runs 7          more repetitions (default 5, after one warm-up)
 *   npm run bench -- --write-docs      also rewrite the table in docs/performance.md
 *
 * `forward_ms` is `model.predict` (the baseline), `explain_ms` a one-shot `explain()` (the forward
 * pass kept for the rules and the backward pass, on the engine's graph that explain() keeps for the
 * model), both wall-clock medians; `ratio = explain_ms / forward_ms`. `cold_explain_ms` is the
 * first explanation of a model, which also builds that graph (batch-norm folding, transposed
 * kernels); the second makes Winograd's matrices for the layers transposed again, so the medians
 * start at the third. The `*_cpu_ms` twins are process CPU time of the same runs: wasm runs on one
 * thread, so they stay meaningful when other work shares the machine.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import {
  explain,
  initEngine,
  loadModelFromDir,
  releaseExplainCache,
  resnet50,
  vgg16,
  type RuleChoice,
} from '@rlrp/core';
import { medians, timed } from './timing';

interface BenchCase {
  readonly model: string;
  readonly build: () => Promise<tf.LayersModel>;
  readonly inputShape: readonly number[];
  readonly batch: number;
  readonly rules: readonly RuleChoice[];
}

interface BenchResult {
  model: string;
  rule: string;
  backend: string;
  batch: number;
  forward_ms: number;
  explain_ms: number;
  ratio: number;
  cold_explain_ms: number;
  forward_cpu_ms: number;
  explain_cpu_ms: number;
  cpu_ratio: number;
  peak_rss_mb: number;
  runs: number;
}

const repoRoot = path.resolve(__dirname, '..', '..');

const CASES: readonly BenchCase[] = [
  {
    model: 'vgg16-random-224',
    build: async () => vgg16({ inputShape: [224, 224, 3], classes: 1000 }),
    inputShape: [224, 224, 3],
    batch: 1,
    rules: ['rlrp', 'epsilon', 'EpsilonPlusFlat'],
  },
  {
    model: 'resnet50-random-224',
    build: async () => resnet50({ inputShape: [224, 224, 3], classes: 1000 }),
    inputShape: [224, 224, 3],
    batch: 1,
    rules: ['rlrp'],
  },
  {
    model: 'mnist-cnn-shipped',
    build: () => loadModelFromDir(path.join(repoRoot, 'models', 'mnist-cnn')),
    inputShape: [28, 28, 1],
    batch: 256,
    rules: ['rlrp', 'epsilon', 'EpsilonPlusFlat'],
  },
];

function ruleName(rule: RuleChoice): string {
  return typeof rule === 'string' ? rule : rule.description;
}

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<void> {
  const engine = await initEngine();
  const runs = Number(argument('--runs') ?? 5);
  const only = argument('--cases');
  const results: BenchResult[] = [];
  for (const bench of CASES.filter((c) => !only || c.model.includes(only))) {
    const model = await bench.build();
    const input = tf.randomUniform([bench.batch, ...bench.inputShape], 0, 1, 'float32', 42);
    const forward = () =>
      timed(() => {
        const out = model.predict(input) as tf.Tensor;
        out.dataSync();
        out.dispose();
      });
    forward(); // warm-up: kernels compiled, weights uploaded
    const forwardMs = medians(Array.from({ length: runs }, forward));
    for (const rule of bench.rules) {
      const once = () =>
        timed(() => {
          const e = explain(model, input, { rule });
          e.relevance.dataSync();
          e.dispose();
        });
      releaseExplainCache();
      const cold = once(); // builds and keeps the engine's graph of the model
      once(); // layers transposed again switch to Winograd's matrices
      const explainMs = medians(Array.from({ length: runs }, once));
      const round = (ms: number) => Math.round(ms * 10) / 10;
      const result: BenchResult = {
        model: bench.model,
        rule: ruleName(rule),
        backend: engine.backend,
        batch: bench.batch,
        forward_ms: round(forwardMs.wall),
        explain_ms: round(explainMs.wall),
        ratio: Math.round((explainMs.wall / forwardMs.wall) * 100) / 100,
        cold_explain_ms: round(cold.wall),
        forward_cpu_ms: round(forwardMs.cpu),
        explain_cpu_ms: round(explainMs.cpu),
        cpu_ratio: Math.round((explainMs.cpu / forwardMs.cpu) * 100) / 100,
        peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
        runs,
      };
      results.push(result);
      console.log(JSON.stringify(result));
    }
    releaseExplainCache();
    input.dispose();
    model.dispose();
  }
  if (process.argv.includes('--write-docs')) writeDocs(results, runs);
}

const BEGIN = '<!-- bench-core:begin -->';
const END = '<!-- bench-core:end -->';

/** Replaces the generated table in docs/performance.md (between the markers). */
function writeDocs(results: readonly BenchResult[], runs: number): void {
  const file = path.join(repoRoot, 'docs', 'performance.md');
  const table = [
    BEGIN,
    `Measured ${new Date().toISOString().slice(0, 10)} on ${process.platform}/${process.arch}, Node ${process.version}, ` +
      `medians of ${runs} runs after the first two explanations:`,
    '',
    '| model | rule | backend | batch | forward ms | explain ms | ratio | first explain ms | forward CPU ms | explain CPU ms | CPU ratio | peak RSS MB |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.model} | ${r.rule} | ${r.backend} | ${r.batch} | ${r.forward_ms} | ${r.explain_ms} | **${r.ratio}** | ${r.cold_explain_ms} | ${r.forward_cpu_ms} | ${r.explain_cpu_ms} | ${r.cpu_ratio} | ${r.peak_rss_mb} |`,
    ),
    END,
  ].join('\n');
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const next =
    current.includes(BEGIN) && current.includes(END)
      ? current.slice(0, current.indexOf(BEGIN)) +
        table +
        current.slice(current.indexOf(END) + END.length)
      : `${current}\n${table}\n`;
  fs.writeFileSync(file, next);
  console.error(`[bench] table written to ${path.relative(repoRoot, file)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
