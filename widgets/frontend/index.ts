/**
 * The front-end views, anywidget-style: `render({ model, el })` returns a cleanup function.
 * Every shell (nbextension, html-manager AMD module, anywidget ESM) wraps these.
 */
import type { WidgetKind } from '../src/schema';
import type { Cleanup, RenderContext } from './model';
import { renderEvaluationPlot } from './views/evaluation-plot';
import { renderRelevanceExplorer } from './views/relevance-explorer';
import { renderRuleComparison } from './views/rule-comparison';

export { renderEvaluationPlot, renderRelevanceExplorer, renderRuleComparison };
export type { Cleanup, RenderContext, WidgetModelLike } from './model';

/** Renders whichever view the model's `kind` trait names. */
export function renderByKind(context: RenderContext<{ kind: WidgetKind }>): Cleanup {
  const kind = context.model.get('kind');
  // The kernel sends the whole state of the kind it names, so the context carries that state.
  switch (kind) {
    case 'relevance-explorer':
      return renderRelevanceExplorer(context as Parameters<typeof renderRelevanceExplorer>[0]);
    case 'rule-comparison':
      return renderRuleComparison(context as Parameters<typeof renderRuleComparison>[0]);
    case 'evaluation-plot':
      return renderEvaluationPlot(context as Parameters<typeof renderEvaluationPlot>[0]);
    default:
      throw new Error(
        `@rlrp/widgets: unknown widget kind "${String(kind)}"; expected relevance-explorer, rule-comparison or evaluation-plot`,
      );
  }
}
