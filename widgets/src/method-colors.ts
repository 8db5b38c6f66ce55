import type { EvaluationPanel } from './schema';

/**
 * One colour per explanation method, shared by the live EvaluationPlot and its static figure so a
 * method keeps its colour everywhere. Twelve entries: the paper's comparison plots nine methods
 * (R-LRP, six classical rules, Gradient × Input, random) and an eight-colour palette repeated the
 * first colour for the ninth.
 */
export const METHOD_COLORS: readonly string[] = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#393b79',
  '#ad494a',
];

/**
 * The colour of each method of `panels`: methods in order of first appearance, colours in
 * METHOD_COLORS order. Used by the live view and the static figure alike.
 */
export function methodColours(panels: readonly EvaluationPanel[]): (method: string) => string {
  const methods = [...new Set(panels.flatMap((p) => p.series.map((s) => s.method)))];
  return (method) => METHOD_COLORS[methods.indexOf(method) % METHOD_COLORS.length];
}
