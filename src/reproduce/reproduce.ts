/**
 * `npm run reproduce`: the R-LRP paper's comparison on the shipped models — keep-top-k accuracy,
 * deletion/insertion AOPC and heatmap robustness for R-LRP, the classical LRP rules, Gradient×Input
 * and the random ranking — written to docs/results.md with its figures in docs/results/.
 *
 *   npm run reproduce        # everything: 8 models × 10 methods × 500 images (≈ 7 min on 2 idle cores)
 *   npm run reproduce -- --models mnist-cnn --methods rlrp,lrp0,random --limit 50   # one cell, ~1 min
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import * as prettier from 'prettier';
import {
  KEEP_TOP_K_PERCENTS,
  compareMethods,
  currentEngine,
  initEngine,
  loadModelFromDir,
  type MethodEvaluation,
  type RuleChoice,
} from '@rlrp/core';
import { toTensors, type LabelledImageDataset } from '@rlrp/datasets';
import { renderHeatmapGrid } from './heatmap-grid';
import { renderLinePlot } from './line-plot';
import { COMPARED_METHODS, type ComparedMethod } from './methods';
import { datasetOf, listShippedModels, type ShippedModel } from './model-zoo';
import { parseReproduceOptions, type ReproduceOptions } from './options';
import { resultsMarkdown, type ModelResult } from './results-markdown';
import { measureRobustness, type Robustness } from './robustness';
import { startProgress } from './progress';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const HEATMAP_EXAMPLES = 3;

function selectModels(options: ReproduceOptions): ShippedModel[] {
  const all = listShippedModels(path.join(REPO_ROOT, 'models'));
  if (!options.models) return all;
  return options.models.map((id) => {
    const found = all.find((m) => m.id === id);
    if (!found) {
      throw new Error(
        `No shipped model "${id}" in models/. Available: ${all.map((m) => m.id).join(', ')}.`,
      );
    }
    return found;
  });
}

function keepTopKPlot(rows: ModelResult['methods']): Buffer {
  const x = KEEP_TOP_K_PERCENTS.map((_, i) => i / (KEEP_TOP_K_PERCENTS.length - 1));
  return renderLinePlot({
    x,
    series: rows.map(({ method, evaluation }) => ({
      y: evaluation.keepTopK.accuracy,
      color: method.color,
      emphasis: method.id === 'rlrp',
    })),
    yMin: 0,
    yMax: 1,
    yGrid: [0.25, 0.5, 0.75, 1],
    xGrid: x,
    highlightX: x[KEEP_TOP_K_PERCENTS.indexOf(15)],
  });
}

function deletionPlot(rows: ModelResult['methods']): Buffer {
  const fractions = rows[0].evaluation.deletion.fractions;
  return renderLinePlot({
    x: fractions,
    series: rows.map(({ method, evaluation }) => ({
      y: evaluation.deletion.meanScore,
      color: method.color,
      emphasis: method.id === 'rlrp',
    })),
    yMin: 0,
    yMax: 1,
    yGrid: [0.25, 0.5, 0.75, 1],
    xGrid: [0.25, 0.5, 0.75, 1],
  });
}

/** The mean training image `[h, w, c]` of a dataset (the `--baseline mean` fill value). */
function meanImage(dataset: LabelledImageDataset): tf.Tensor3D {
  const pixels = dataset.height * dataset.width * dataset.channels;
  const sum = new Float32Array(pixels);
  for (let s = 0; s < dataset.train.count; s++) {
    for (let p = 0; p < pixels; p++) sum[p] += dataset.train.images[s * pixels + p];
  }
  return tf.tensor3d(
    sum.map((v) => v / Math.max(1, dataset.train.count)),
    [dataset.height, dataset.width, dataset.channels],
  );
}

async function evaluateModel(
  shipped: ShippedModel,
  methods: readonly ComparedMethod[],
  options: ReproduceOptions,
  figuresDir: string,
): Promise<ModelResult> {
  const started = Date.now();
  const dataset = datasetOf(shipped);
  const model = await loadModelFromDir(shipped.dir);
  const count = Math.min(options.limit, dataset.test.count);
  const { images, labels } = toTensors(dataset, dataset.test, { count });
  const labelArray = Array.from(labels.dataSync());
  const subsetAccuracy = tf.tidy(
    () => (model.predict(images) as tf.Tensor2D).argMax(1).equal(labels).mean().dataSync()[0],
  );
  const baseline = options.baseline === 'mean' ? meanImage(dataset) : 0;
  const ruled = methods.filter(
    (m): m is ComparedMethod & { rule: RuleChoice } => m.rule !== undefined,
  );
  const batchSize = 64;
  const explainBatchSize = 32;
  const metricBatches = Math.ceil(count / batchSize);
  const total = Math.ceil(count / explainBatchSize) + (ruled.length + 1) * 3 * metricBatches;
  const bar = startProgress(`${shipped.id}: compare`, total);
  const comparison = compareMethods({
    model,
    images,
    labels: labelArray,
    methods: ruled.map((m) => ({ name: m.id, rule: m.rule })),
    steps: options.steps,
    baseline,
    batchSize,
    explainBatchSize,
    onProgress: (p) => bar.increment(p.stage),
  });
  bar.stop();
  const evaluations = new Map<string, MethodEvaluation>(comparison.methods.map((e) => [e.name, e]));
  evaluations.set('random', comparison.random);
  const rows = methods.map((method) => ({
    method,
    evaluation: evaluations.get(method.id) as MethodEvaluation,
  }));

  const robustSamples = Math.min(options.robustnessLimit, count);
  const robustImages = images.slice(0, robustSamples);
  const robustBar = startProgress(`${shipped.id}: robustness`, 2 * Math.ceil(robustSamples / 32));
  const robust = measureRobustness(
    model,
    robustImages,
    ruled.map((m) => m.rule),
    comparison.relevance,
    () => robustBar.increment('explain'),
  );
  robustBar.stop();
  robustImages.dispose();
  const robustness = new Map<string, Robustness>(ruled.map((m, i) => [m.id, robust[i]]));

  const pixels = dataset.height * dataset.width;
  // The comparison's maps of the first images are the heatmap examples.
  const exampleMaps = comparison.relevance;
  const exampleInputs = Array.from({ length: Math.min(HEATMAP_EXAMPLES, count) }, (_, i) =>
    Float32Array.from(dataset.test.images.subarray(i * pixels, (i + 1) * pixels)),
  );
  const heatmapFile = `${shipped.id}-heatmaps.png`;
  fs.writeFileSync(
    path.join(figuresDir, heatmapFile),
    renderHeatmapGrid(
      exampleInputs,
      exampleMaps.map((m) =>
        exampleInputs.map((_, i) => m.scores.subarray(i * pixels, (i + 1) * pixels)),
      ),
      dataset.height,
      dataset.width,
    ),
  );
  const keepFile = `${shipped.id}-keep-top-k.png`;
  const deletionFile = `${shipped.id}-deletion.png`;
  fs.writeFileSync(path.join(figuresDir, keepFile), keepTopKPlot(rows));
  fs.writeFileSync(path.join(figuresDir, deletionFile), deletionPlot(rows));
  images.dispose();
  labels.dispose();
  if (typeof baseline !== 'number') baseline.dispose();
  model.dispose();
  return {
    model: shipped,
    samples: count,
    subsetAccuracy,
    methods: rows,
    robustness,
    robustnessSamples: robustSamples,
    seconds: (Date.now() - started) / 1000,
    keepTopKPlot: `results/${keepFile}`,
    deletionPlot: `results/${deletionFile}`,
    heatmaps: `results/${heatmapFile}`,
  };
}

async function main(): Promise<void> {
  const options = parseReproduceOptions(process.argv.slice(2));
  await initEngine();
  const models = selectModels(options);
  if (models.length === 0)
    throw new Error(
      'No shipped models found in models/. Train them with src/train/train.ts --all.',
    );
  const methods = COMPARED_METHODS.filter((m) => options.methods.includes(m.id));
  const outDir = path.resolve(REPO_ROOT, options.outDir);
  const figuresDir = path.join(outDir, 'results');
  fs.mkdirSync(figuresDir, { recursive: true });
  const started = Date.now();
  const results: ModelResult[] = [];
  const write = async () => {
    const markdown = resultsMarkdown(results, {
      command: options.command,
      date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      backend: currentEngine()?.backend ?? tf.getBackend(),
      limit: options.limit,
      robustnessLimit: options.robustnessLimit,
      steps: options.steps,
      baseline: options.baseline,
      totalSeconds: (Date.now() - started) / 1000,
    });
    const resultsFile = path.join(outDir, 'results.md');
    // Formatted like every other file, so `prettier --check .` passes on the generated page.
    const config = (await prettier.resolveConfig(resultsFile)) ?? {};
    fs.writeFileSync(
      resultsFile,
      await prettier.format(markdown, { ...config, filepath: resultsFile }),
    );
    const json = results.map((r) => ({
      model: r.model.id,
      samples: r.samples,
      subsetAccuracy: r.subsetAccuracy,
      seconds: r.seconds,
      methods: r.methods.map(({ method, evaluation }) => ({
        id: method.id,
        name: method.name,
        keepTopK: evaluation.keepTopK,
        deletion: evaluation.deletion,
        insertion: evaluation.insertion,
        deletionAopcVsRandom: evaluation.deletionAopcVsRandom,
        insertionAopcVsRandom: evaluation.insertionAopcVsRandom,
        nonFinite: evaluation.nonFinite,
        robustness: r.robustness.get(method.id) ?? null,
      })),
    }));
    fs.writeFileSync(
      path.join(figuresDir, 'results.json'),
      JSON.stringify({ command: options.command, results: json }, null, 1) + '\n',
    );
  };
  for (const shipped of models) {
    results.push(await evaluateModel(shipped, methods, options, figuresDir));
    await write();
  }
  console.log(
    `Wrote ${path.relative(process.cwd(), path.join(outDir, 'results.md'))} (${Math.round((Date.now() - started) / 1000)} s).`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
