/**
 * `npm run reproduce`: the R-LRP paper's comparison on the shipped models — keep-top-k accuracy,
 * deletion/insertion AOPC and heatmap robustness for R-LRP, the classical LRP rules, Gradient×Input
 * and the random ranking, with 95 % Wilson intervals and paired McNemar tests at 15 % — written to
 * reproduce-output/results.md (gitignored) with its figures in reproduce-output/results/, or with
 * --write-docs to the committed docs/results.md and docs/results/.
 *
 *   npm run reproduce -- --write-docs   # everything: 8 models × 10 methods × 500 images (≈ 7 min on 2 idle cores)
 *   npm run reproduce -- --models mnist-cnn --methods rlrp,lrp0,random --limit 50   # one cell, ~1 min
 *   npm run reproduce -- --images 500:1000   # the next 500 test images
 *   npm run reproduce -- --workers 1   # the comparison in this thread (default: one worker per core)
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import {
  KEEP_TOP_K_PERCENTS,
  compareMethods,
  currentEngine,
  initEngine,
  loadModelFromDir,
  wilsonInterval,
  type MethodEvaluation,
  type RuleChoice,
} from '@rlrp/core';
import { toTensors, type LabelledImageDataset } from '@rlrp/datasets';
import { renderHeatmapGrid } from './heatmap-grid';
import { renderLinePlot } from './line-plot';
import { COMPARED_METHODS, type ComparedMethod } from './methods';
import { datasetOf, listShippedModels, type ShippedModel } from './model-zoo';
import { parseReproduceOptions, type ReproduceOptions } from './options';
import { resultsMarkdown, rlrpStanding, type ModelResult } from './results-markdown';
import { measureRobustness, type Robustness } from './robustness';
import { startProgress } from './progress';
import { writeFormatted } from '../docs/write-formatted';

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
  const { start } = options;
  if (start >= dataset.test.count) {
    throw new Error(
      `--images starts at ${start}, but the ${shipped.dataset} test split has ${dataset.test.count} images (0…${dataset.test.count - 1}).`,
    );
  }
  const count = Math.min(options.end, dataset.test.count) - start;
  const { images, labels } = toTensors(dataset, dataset.test, { start, count });
  const labelArray = Array.from(labels.dataSync());
  const subsetAccuracy = tf.tidy(
    () => (model.predict(images) as tf.Tensor2D).argMax(1).equal(labels).mean().dataSync()[0],
  );
  const baseline = options.baseline === 'mean' ? meanImage(dataset) : 0;
  const ruled = methods.filter(
    (m): m is ComparedMethod & { rule: RuleChoice } => m.rule !== undefined,
  );
  const bar = startProgress(`${shipped.id}: compare`, 100);
  // Stage by stage (explain, then keep-top-k, deletion, insertion per method and the random
  // ranking); with workers a stage's batches are those of every slice, so the bar shows the
  // percentage of the stages done rather than counting batches.
  const stageCount = 1 + (ruled.length + 1) * 3;
  const stageDone = new Map<string, number>();
  const comparison = await compareMethods({
    model,
    images,
    labels: labelArray,
    methods: ruled.map((m) => ({ name: m.id, rule: m.rule })),
    steps: options.steps,
    baseline,
    batchSize: 64,
    explainBatchSize: 32,
    // Image i of the slice gets the random permutation of test image start + i, as in a whole run.
    firstSample: start,
    workers: options.workers,
    onProgress: (p) => {
      stageDone.set(p.stage, p.done / p.total);
      const fraction = [...stageDone.values()].reduce((sum, f) => sum + f, 0) / stageCount;
      bar.update(Math.round(100 * fraction), p.stage);
    },
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
  const robustBar = startProgress(`${shipped.id}: robustness`, Math.ceil((2 * robustSamples) / 32));
  let robust: Robustness[];
  try {
    robust = await measureRobustness(
      model,
      robustImages,
      ruled.map((m) => m.rule),
      comparison.relevance,
      options.workers,
      () => robustBar.increment('explain'),
    );
  } finally {
    robustBar.stop();
    robustImages.dispose();
  }
  const robustness = new Map<string, Robustness>(ruled.map((m, i) => [m.id, robust[i]]));

  const pixels = dataset.height * dataset.width;
  // The comparison's maps of the first images are the heatmap examples.
  const exampleMaps = comparison.relevance;
  const exampleInputs = Array.from({ length: Math.min(HEATMAP_EXAMPLES, count) }, (_, i) =>
    Float32Array.from(dataset.test.images.subarray((start + i) * pixels, (start + i + 1) * pixels)),
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
    start,
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

/** One console line per model: R-LRP at 15 % with its interval and the paired tests' verdict. */
function standingLine(result: ModelResult): string {
  const standing = rlrpStanding(result);
  if (!standing)
    return `${result.model.id}: no paired test (R-LRP or every other method left out).`;
  const interval = wilsonInterval(Math.round(standing.rlrp * result.samples), result.samples);
  const percent = (v: number) => (100 * v).toFixed(1);
  const detail = standing.comparisons
    .map((c) => `${c.method} ${c.referenceOnly}:${c.methodOnly} p=${c.adjustedP.toPrecision(2)}`)
    .join(', ');
  return (
    `${result.model.id} (${result.samples} images): R-LRP at 15 % ${percent(standing.rlrp)} % ` +
    `(95 % CI ${percent(interval.lower)}–${percent(interval.upper)}) — ${standing.standing} ` +
    `[only R-LRP right : only other right, Holm p: ${detail}]`
  );
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
  // Written after every model, so that an interrupted run keeps what it compared; formatted (for
  // `prettier --check`, the committed docs/results.md) only after the last: Prettier took
  // 0.3–0.9 s per formatting of the whole file, in this thread while the other cores waited. An
  // interrupted --write-docs run leaves docs/results.md unformatted: run it again to the end.
  const write = async (last: boolean) => {
    const markdown = resultsMarkdown(results, {
      command: options.command,
      date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      backend: currentEngine()?.backend ?? tf.getBackend(),
      start: options.start,
      end: options.end,
      robustnessLimit: options.robustnessLimit,
      steps: options.steps,
      baseline: options.baseline,
      totalSeconds: (Date.now() - started) / 1000,
    });
    const resultsFile = path.join(outDir, 'results.md');
    if (last) await writeFormatted(resultsFile, markdown);
    else fs.writeFileSync(resultsFile, markdown);
    const json = results.map((r) => ({
      model: r.model.id,
      start: r.start,
      samples: r.samples,
      pairedTestsAt15: rlrpStanding(r) ?? null,
      subsetAccuracy: r.subsetAccuracy,
      seconds: r.seconds,
      methods: r.methods.map(({ method, evaluation }) => ({
        id: method.id,
        name: method.name,
        keepTopK: {
          ...evaluation.keepTopK,
          // One character per image ('1' = right), so the paired tests can be redone from the file.
          correct: evaluation.keepTopK.correct.map((c) => c.join('')),
        },
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
  for (const [index, shipped] of models.entries()) {
    const result = await evaluateModel(shipped, methods, options, figuresDir);
    results.push(result);
    await write(index === models.length - 1);
    console.log(standingLine(result));
  }
  console.log(
    `Wrote ${path.relative(process.cwd(), path.join(outDir, 'results.md'))} (${Math.round((Date.now() - started) / 1000)} s).` +
      (options.writeDocs
        ? ''
        : ' The committed docs/results.md is unchanged; --write-docs replaces it.'),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
