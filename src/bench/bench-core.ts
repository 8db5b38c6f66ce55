/**
 * Engine benchmark: how much an explanation costs compared with the model's own forward pass.
 *
 *   npm run bench                      all cases, one JSON object per line
 *   npm run bench -- --cases vgg16     only the cases whose model name contains "vgg16"
 *   npm run bench -- --runs 7          more repetitions (default 5, after one warm-up)
 *   npm run bench -- --write-docs      also rewrite the table in docs/performance.md
 *   npm run bench -- --threads 1       the wasm engine's threads (default: initEngine's, one per core)
 *   npm run bench -- --no-torch        without the PyTorch baseline
 *   npm run bench -- --torch-threads 1 PyTorch's threads (default: one per core)
 *
 * `forward_ms` is `model.predict` (the baseline), `explain_ms` a one-shot `explain()` (the forward
 * pass kept for the rules and the backward pass, on the engine's graph that explain() keeps for the
 * model), both wall-clock medians; `ratio = explain_ms / forward_ms`. `cold_explain_ms` is the
 * first explanation of a model, which also builds that graph (batch-norm folding, transposed
 * kernels); the second makes Winograd's matrices for the layers transposed again, so the medians
 * start at the third. The `*_cpu_ms` twins are process CPU time of the same runs, summed over the
 * engine's threads.
 *
 * The same workloads run on PyTorch (src/bench/torch-lrp.py, LRP-ε; `node src/bootstrap/setup.mjs
 * bench` installs Debian's python3-torch) in a second process, each run of this toolkit followed
 * by one of PyTorch's so that both see the same load; `ratio_vs_torch = explain_ms /
 * torch_explain_ms`, and `floor_ratio_vs_torch = forward_ms / torch_explain_ms`, the least
 * `ratio_vs_torch` this engine could reach with a backward pass that cost nothing. Last, the
 * `vgg16-conv` lines time the engine's forward convolution against PyTorch's on each of VGG16's
 * layer shapes (in a run of all cases, or alone with `--cases conv`). `load_1min` is the machine's load average around each row: on a shared
 * machine the figures move with it.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { argument, countArgument, loadAverage } from './command-line';
import {
  explain,
  initEngine,
  loadModelFromDir,
  releaseExplainCache,
  resnet50,
  vgg16,
  type RuleChoice,
} from '@rlrp/core';
import { writeFormatted } from '../docs/write-formatted';
import { median, medians, timed, type Timing } from './timing';
import { untilSettled } from './settle';
import { TorchBaseline } from './torch-baseline';

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
  threads: number | null;
  /** Threads of the native kernels (oneDNN's convolutions and matrix products); `null` when off. */
  native_threads: number | null;
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
  /** PyTorch's median forward pass, interleaved with this row's runs (`null` without PyTorch). */
  torch_forward_ms: number | null;
  /** PyTorch's median LRP-ε explanation, interleaved with this row's explanations. */
  torch_explain_ms: number | null;
  /** `explain_ms / torch_explain_ms`: ≤ 1 means this toolkit explains at least as fast. */
  ratio_vs_torch: number | null;
  /** `forward_ms / torch_forward_ms`. */
  forward_ratio_vs_torch: number | null;
  /**
   * `forward_ms / torch_explain_ms`: the ratio vs PyTorch an explanation would have if its
   * backward pass cost nothing. Above 1, no change to the rules can reach `ratio_vs_torch ≤ 1`
   * on this engine: its forward pass alone takes longer than PyTorch's whole explanation.
   */
  floor_ratio_vs_torch: number | null;
  torch_threads: number | null;
  torch_peak_rss_mb: number | null;
  /** The machine's 1-minute load average when the row started and ended (`uptime`). */
  load_1min: [number, number];
  /**
   * Milliseconds waited before the explanations (this engine's and PyTorch's) until both
   * processes' threads had settled (settle.ts): median and longest.
   */
  settle_ms: [number, number];
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
    rules: ['rlrp', 'epsilon', 'EpsilonPlusFlat'],
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

/**
 * Times `ours` `runs` times, each run followed by one of PyTorch's (`theirs`, when there is a
 * baseline), so that both see the same machine load. Each run starts once the threads of both
 * processes have settled (settle.ts): both sides compute on threads that spin for a while after
 * their work, PyTorch's for 70–80 ms, and a run started meanwhile shares the cores with them.
 * `waits` are the milliseconds waited before each run, ours and PyTorch's.
 */
async function alternated(
  runs: number,
  ours: () => Timing,
  baseline: TorchBaseline | null,
  theirs: (torch: TorchBaseline) => Promise<number>,
): Promise<{ ours: Timing[]; torch: number[]; waits: number[] }> {
  const times = { ours: [] as Timing[], torch: [] as number[], waits: [] as number[] };
  const watched = baseline?.pid === undefined ? [] : [baseline.pid];
  for (let i = 0; i < runs; i++) {
    times.waits.push(await untilSettled(watched));
    times.ours.push(ours());
    if (baseline) {
      times.waits.push(await untilSettled(watched));
      times.torch.push(await theirs(baseline));
    }
  }
  return times;
}

async function main(): Promise<void> {
  const threadsArgument = argument('--threads');
  const engine = await initEngine(
    threadsArgument === undefined
      ? {}
      : { threads: threadsArgument === 'auto' ? 'auto' : Number(threadsArgument) },
  );
  console.error(
    `[bench] engine ${engine.name}, ${engine.threads.count} thread(s): ${engine.threads.reason}`,
  );
  console.error(`[bench] native kernels: ${engine.nativeKernels.reason}`);
  const runs = countArgument('--runs', 5);
  const only = argument('--cases');
  if (only !== undefined && process.argv.includes('--write-docs')) {
    // The docs table is the whole set of cases; a subset would replace it with part of it.
    console.error('[bench] --write-docs rewrites the table of every case: run it without --cases.');
    process.exit(2);
  }
  const torchThreads = countArgument('--torch-threads', os.availableParallelism());
  const torch = process.argv.includes('--no-torch') ? null : TorchBaseline.start(torchThreads);
  const baseline = torch instanceof TorchBaseline ? torch : null;
  if (torch && 'unavailable' in torch) {
    console.error(`[bench] no PyTorch baseline: ${torch.unavailable}`);
  }
  const results: BenchResult[] = [];
  const round = (ms: number) => Math.round(ms * 10) / 10;
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  for (const bench of CASES.filter((c) => !only || c.model.includes(only))) {
    const model = await bench.build();
    const torchInfo = baseline ? await baseline.load(bench.model, bench.batch) : null;
    const input = tf.randomUniform([bench.batch, ...bench.inputShape], 0, 1, 'float32', 42);
    const forward = () =>
      timed(() => {
        const out = model.predict(input) as tf.Tensor;
        out.dataSync();
        out.dispose();
      });
    forward(); // warm-up: kernels compiled, weights uploaded
    await baseline?.forward();
    const forwardTimes = await alternated(runs, forward, baseline, (torch) => torch.forward());
    const forwardMs = medians(forwardTimes.ours);
    if (baseline) for (let i = 0; i < 2; i++) await baseline.explain(); // warm-up
    for (const rule of bench.rules) {
      const loadBefore = loadAverage();
      const once = () =>
        timed(() => {
          const e = explain(model, input, { rule });
          e.relevance.dataSync();
          e.dispose();
        });
      releaseExplainCache();
      const cold = once(); // builds and keeps the engine's graph of the model
      once(); // layers transposed again switch to Winograd's matrices
      const explainTimes = await alternated(runs, once, baseline, (torch) => torch.explain());
      const explainMs = medians(explainTimes.ours);
      const torchForwardMs = baseline ? median(forwardTimes.torch) : null;
      const torchExplainMs = baseline ? median(explainTimes.torch) : null;
      const result: BenchResult = {
        model: bench.model,
        rule: ruleName(rule),
        backend: engine.backend,
        threads: engine.threads.count,
        native_threads: engine.nativeKernels.threads,
        batch: bench.batch,
        forward_ms: round(forwardMs.wall),
        explain_ms: round(explainMs.wall),
        ratio: ratio(explainMs.wall, forwardMs.wall),
        cold_explain_ms: round(cold.wall),
        forward_cpu_ms: round(forwardMs.cpu),
        explain_cpu_ms: round(explainMs.cpu),
        cpu_ratio: ratio(explainMs.cpu, forwardMs.cpu),
        peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
        runs,
        torch_forward_ms: torchForwardMs === null ? null : round(torchForwardMs),
        torch_explain_ms: torchExplainMs === null ? null : round(torchExplainMs),
        ratio_vs_torch: torchExplainMs === null ? null : ratio(explainMs.wall, torchExplainMs),
        forward_ratio_vs_torch:
          torchForwardMs === null ? null : ratio(forwardMs.wall, torchForwardMs),
        floor_ratio_vs_torch:
          torchExplainMs === null ? null : ratio(forwardMs.wall, torchExplainMs),
        torch_threads: torchInfo?.threads ?? null,
        torch_peak_rss_mb: baseline ? await baseline.peakRssMb() : null,
        load_1min: [loadBefore, loadAverage()],
        settle_ms: [round(median(explainTimes.waits)), round(Math.max(...explainTimes.waits))],
      };
      results.push(result);
      console.log(JSON.stringify(result));
    }
    releaseExplainCache();
    input.dispose();
    model.dispose();
  }
  if (!only || only === 'conv') {
    await benchVgg16Convolutions(runs, baseline);
  }
  baseline?.stop();
  if (process.argv.includes('--write-docs')) await writeDocs(results, runs, torchThreads);
}

/** VGG16's 3×3 convolutions: input size, input and output channels, and how many layers have them. */
const VGG16_CONVOLUTIONS: readonly (readonly [number, number, number, number])[] = [
  [224, 3, 64, 1],
  [224, 64, 64, 1],
  [112, 64, 128, 1],
  [112, 128, 128, 1],
  [56, 128, 256, 1],
  [56, 256, 256, 2],
  [28, 256, 512, 1],
  [28, 512, 512, 2],
  [14, 512, 512, 3],
];

/**
 * The engine's forward convolution against PyTorch's on each of VGG16's layer shapes (batch 1),
 * interleaved run by run, and the sum over VGG16's 13 layers: how far the engine's own
 * convolution is from PyTorch's, whatever the rules do. One line per shape, then the total.
 */
async function benchVgg16Convolutions(runs: number, baseline: TorchBaseline | null): Promise<void> {
  const round = (value: number) => Math.round(value * 100) / 100;
  const loadBefore = loadAverage();
  let ours = 0;
  let theirs = 0;
  for (const [size, cin, cout, layers] of VGG16_CONVOLUTIONS) {
    const x = tf.randomUniform([1, size, size, cin], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, cin, cout], 0, 0.05, 'float32', 2) as tf.Tensor4D;
    // Like PyTorch's side: the convolution and its fresh output, no read-back (this engine's
    // kernels run within the call on every Node backend: wasm, cpu, tfjs-node).
    const conv = () =>
      timed(() => {
        tf.conv2d(x, w, 1, 'same').dispose();
      });
    conv(); // warm-up: XNNPACK packs the kernel
    const times = await alternated(runs, conv, baseline, (torch) => torch.conv(size, cin, cout));
    tf.dispose([x, w]);
    const ms = medians(times.ours).wall;
    const torchMs = baseline ? median(times.torch) : null;
    const gflop = (2 * size * size * 9 * cin * cout) / 1e9;
    ours += layers * ms;
    theirs += layers * (torchMs ?? NaN);
    console.log(
      JSON.stringify({
        case: 'vgg16-conv',
        shape: `${size}x${size}, ${cin}->${cout}`,
        layers,
        gflop: round(gflop),
        ms: round(ms),
        gflops: round(gflop / (ms / 1000)),
        torch_ms: torchMs === null ? null : round(torchMs),
        torch_gflops: torchMs === null ? null : round(gflop / (torchMs / 1000)),
        ratio_vs_torch: torchMs === null ? null : round(ms / torchMs),
      }),
    );
  }
  console.log(
    JSON.stringify({
      case: 'vgg16-convolutions-total',
      layers: 13,
      ms: round(ours),
      torch_ms: baseline ? round(theirs) : null,
      ratio_vs_torch: baseline ? round(ours / theirs) : null,
      load_1min: [loadBefore, loadAverage()],
    }),
  );
}

const BEGIN = '<!-- bench-core:begin -->';
const END = '<!-- bench-core:end -->';

/** Replaces the generated table in docs/performance.md (between the markers). */
async function writeDocs(
  results: readonly BenchResult[],
  runs: number,
  torchThreads: number,
): Promise<void> {
  const file = path.join(repoRoot, 'docs', 'performance.md');
  const loads = results.flatMap((r) => r.load_1min);
  const cell = (value: number | null) => (value === null ? '–' : String(value));
  const table = [
    BEGIN,
    `Measured ${new Date().toISOString().slice(0, 10)} on ${process.platform}/${process.arch} (${os.availableParallelism()} logical cores), ` +
      `Node ${process.version}, medians of ${runs} runs after the first two explanations, PyTorch with ` +
      `${torchThreads} thread(s) interleaved run by run; 1-minute load average during the run ` +
      `${Math.min(...loads)}–${Math.max(...loads)}:`,
    '',
    '| model | rule | backend | wasm threads | native threads | batch | forward ms | explain ms | ratio | PyTorch forward ms | PyTorch LRP-ε ms | **ratio vs PyTorch** | forward / PyTorch LRP-ε | first explain ms | peak RSS MB | PyTorch peak RSS MB |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.model} | ${r.rule} | ${r.backend} | ${cell(r.threads)} | ${cell(r.native_threads)} | ${r.batch} | ${r.forward_ms} | ${r.explain_ms} | ${r.ratio} | ` +
        `${cell(r.torch_forward_ms)} | ${cell(r.torch_explain_ms)} | **${cell(r.ratio_vs_torch)}** | ${cell(r.floor_ratio_vs_torch)} | ${r.cold_explain_ms} | ` +
        `${r.peak_rss_mb} | ${cell(r.torch_peak_rss_mb)} |`,
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
  await writeFormatted(file, next);
  console.error(`[bench] table written to ${path.relative(repoRoot, file)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
