/**
 * What the three widgets of this package share on the kernel side: the text/html fallback, made
 * of the widget's saved state (drawn by the same views as the live widget where plotly is
 * available) and a static part each widget supplies.
 */
import { Widget, type WidgetOptions } from 'tslab-widgets';
import { defaultFallbackPlotly, fallbackHtml, type FallbackPlotly } from './fallback/fallback-html';
import { savedViewState } from './fallback/saved-state';

/** Base class of RelevanceExplorer, RuleComparison and EvaluationPlot. */
export abstract class RlrpWidget<S extends object> extends Widget<S> {
  private readonly fallbackPlotly: FallbackPlotly;

  /**
   * @param options - the tslab-widgets options (module references, state)
   * @param fallbackPlotly - how the text/html fallback gets plotly; default
   *   {@link defaultFallbackPlotly}
   */
  protected constructor(options: WidgetOptions<S>, fallbackPlotly: FallbackPlotly | undefined) {
    super(options);
    this.fallbackPlotly = fallbackPlotly ?? defaultFallbackPlotly();
  }

  /** The static part of the fallback: a snapshot picture or a table, a few KB. */
  protected abstract staticHtml(): string;

  /**
   * The widget as a standalone HTML fragment (e.g. for a page of its own): `inline` (default)
   * draws the interactive view offline, `none` gives the static part only.
   */
  toHtml(plotly: FallbackPlotly = 'inline'): string {
    return fallbackHtml(
      { state: savedViewState(this.fullState()), staticHtml: this.staticHtml() },
      plotly,
    );
  }

  /**
   * False: `@rlrp/widgets` is not on npm, and an exported page must not depend on a CDN (the
   * anywidget route too), so a static HTML export shows the snapshot.
   */
  protected override viewInStaticHtmlExport(): boolean {
    return false;
  }

  protected override htmlFallback(): string {
    return this.toHtml(this.fallbackPlotly);
  }
}
