/**
 * Kernel side of the EvaluationPlot: keep-top-k accuracy and deletion/insertion curves of several
 * explanation methods, from @rlrp/core's `compareMethods` result or from explicit panels.
 */
import type { MethodComparison, MethodEvaluation } from '@rlrp/core';
import { kernelOwned, type TraitOwnership } from 'tslab-widgets';
import { WidgetOptionError } from './errors';
import { tableHtml, type FallbackPlotly } from './fallback/fallback-html';
import {
  frontendBinding,
  resolveTarget,
  type AnywidgetTraits,
  type FrontendTarget,
} from './kernel/frontend-target';
import { RlrpWidget } from './rlrp-widget';
import type { EvaluationPanel, EvaluationPlotState } from './schema';

/** Options of {@link plotEvaluation}. */
export interface PlotEvaluationOptions {
  title?: string;
  /** Leave out the seeded random ranking of a `compareMethods` result; default false. */
  withoutRandom?: boolean;
  frontend?: FrontendTarget;
  fallbackPlotly?: FallbackPlotly;
  display?: boolean;
}

/** The evaluation plot's state as it travels. */
export type EvaluationWireState = EvaluationPlotState & AnywidgetTraits;

/** Who owns each trait: the kernel, all of them (the plot only shows the evaluation). */
const EVALUATION_TRAITS: TraitOwnership<EvaluationWireState> = {
  kind: 'kernel',
  title: 'kernel',
  panels: 'kernel',
  _esm: 'kernel',
  _plotly: 'kernel',
};

/** The EvaluationPlot widget (kernel side). */
export class EvaluationPlot extends RlrpWidget<EvaluationWireState> {
  /** Use {@link plotEvaluation}. */
  constructor(panels: EvaluationPanel[], options: PlotEvaluationOptions = {}) {
    const binding = frontendBinding('evaluation-plot', resolveTarget(options.frontend));
    super(
      {
        model: binding.model,
        view: binding.view,
        state: {
          kind: 'evaluation-plot',
          title: options.title ?? 'Evaluation',
          panels,
          ...binding.extraState,
        },
        readOnly: kernelOwned(EVALUATION_TRAITS),
      },
      options.fallbackPlotly,
    );
  }

  protected override textFallback(): string {
    const methods = [...new Set(this.get('panels').flatMap((p) => p.series.map((s) => s.method)))];
    return `EvaluationPlot: ${this.get('panels')
      .map((p) => p.id)
      .join(', ')} for ${methods.join(', ')}`;
  }

  /** A table: per method and panel, the AUC, or the last point of the curve. */
  protected staticHtml(): string {
    const panels = this.get('panels');
    const methods = [...new Set(panels.flatMap((p) => p.series.map((s) => s.method)))];
    const cell = (panelIndex: number, method: string): string => {
      const series = panels[panelIndex].series.find((s) => s.method === method);
      if (!series) return '';
      if (series.auc !== undefined) return `AUC ${series.auc.toFixed(3)}`;
      const last = series.y.length - 1;
      return last >= 0 ? `${series.y[last].toPrecision(3)} at ${series.x[last]}` : '';
    };
    return tableHtml(
      this.get('title'),
      ['method', ...panels.map((p) => p.title)],
      methods.map((method) => [method, ...panels.map((_, i) => cell(i, method))]),
    );
  }
}

/** Panels (keep-top-k, deletion, insertion) of a `compareMethods` result. */
export function comparisonPanels(
  result: MethodComparison,
  withoutRandom = false,
): EvaluationPanel[] {
  const methods: readonly MethodEvaluation[] = withoutRandom
    ? result.methods
    : [...result.methods, result.random];
  return [
    {
      id: 'keep-top-k',
      title: 'keep-top-k accuracy',
      x_label: '% of pixels kept',
      y_label: 'accuracy',
      series: methods.map((m) => ({
        method: m.name,
        x: [...m.keepTopK.percents],
        y: [...m.keepTopK.accuracy],
      })),
    },
    ...(['deletion', 'insertion'] as const).map((mode) => ({
      id: mode,
      title: `${mode} (AUC: ${mode === 'deletion' ? 'lower' : 'higher'} is better)`,
      x_label: `fraction of pixels ${mode === 'deletion' ? 'removed' : 'inserted'}`,
      y_label: 'mean score of the target class',
      series: methods.map((m) => ({
        method: m.name,
        x: [...m[mode].fractions],
        y: [...m[mode].meanScore],
        auc: m[mode].auc,
      })),
    })),
  ];
}

function isComparison(value: unknown): value is MethodComparison {
  const candidate = value as Partial<MethodComparison> | null;
  return Boolean(candidate && Array.isArray(candidate.methods) && candidate.random);
}

function isPanels(value: unknown): value is EvaluationPanel[] {
  return (
    Array.isArray(value) &&
    value.every((p) => p && typeof p.id === 'string' && Array.isArray(p.series))
  );
}

/**
 * Plots keep-top-k accuracy and deletion/insertion curves, one line per method. Accepts the
 * result of @rlrp/core's `compareMethods` or a list of panels. Displays the widget (unless
 * `display: false`) and returns it.
 */
export function plotEvaluation(
  result: MethodComparison | EvaluationPanel[],
  options: PlotEvaluationOptions = {},
): EvaluationPlot {
  let panels: EvaluationPanel[];
  if (isComparison(result)) panels = comparisonPanels(result, options.withoutRandom);
  else if (isPanels(result))
    panels = result.map((p) => ({ ...p, series: p.series.map((s) => ({ ...s })) }));
  else {
    throw new WidgetOptionError(
      'result',
      'pass the result of compareMethods() from @rlrp/core, or panels [{id, title, x_label, y_label, series}].',
    );
  }
  const widget = new EvaluationPlot(panels, options);
  if (options.display !== false) widget.display();
  return widget;
}
