/**
 * Model and view classes over @jupyter-widgets/base 6 for this package's own shells (the
 * classic-Notebook extension and the html-manager AMD module). Each view is a thin wrapper that
 * calls the kernel-agnostic `render({ model, el })` of its kind.
 */
import './bundled-plotly';
import { DOMWidgetModel, DOMWidgetView, type ISerializers } from '@jupyter-widgets/base';
import {
  MODEL_NAMES,
  VIEW_NAMES,
  WIDGET_FRONTEND_VERSION,
  WIDGET_MODULE,
  type WidgetKind,
} from '../../src/schema';
import { renderByKind } from '../index';
import type { Cleanup, WidgetModelLike } from '../model';

/**
 * Keeps a trait as it is when the model is serialised. Without it @jupyter-widgets/base copies a
 * trait through JSON, which turns the binary values nested in `layers`, `input` and `maps` into
 * `{}` — and the state the Notebook saves with the notebook would lose every map.
 */
const KEEP_BINARY = { serialize: (value: unknown): unknown => value };

/** Base model: module coordinates only; every trait comes from the kernel. */
class RlrpModel extends DOMWidgetModel {
  static override serializers: ISerializers = {
    ...DOMWidgetModel.serializers,
    input: KEEP_BINARY,
    layers: KEEP_BINARY,
    maps: KEEP_BINARY,
  };

  override defaults(): ReturnType<DOMWidgetModel['defaults']> {
    return {
      ...super.defaults(),
      _model_module: WIDGET_MODULE,
      _model_module_version: WIDGET_FRONTEND_VERSION,
      _view_module: WIDGET_MODULE,
      _view_module_version: WIDGET_FRONTEND_VERSION,
    };
  }
}

/** Base view: renders the kind named by the model and releases it on removal. */
class RlrpView extends DOMWidgetView {
  private cleanup: Cleanup | undefined;

  override render(): void {
    this.el.classList.add('rlrp-widget-host');
    this.cleanup = renderByKind({
      // Safe: the views only send plain-JSON ExplainRequests, which WidgetModel.send's JSONValue takes.
      model: this.model as unknown as WidgetModelLike<{ kind: WidgetKind }>,
      el: this.el,
    });
  }

  override remove(): ReturnType<DOMWidgetView['remove']> {
    this.cleanup?.();
    this.cleanup = undefined;
    return super.remove();
  }
}

export class RelevanceExplorerModel extends RlrpModel {}
export class RuleComparisonModel extends RlrpModel {}
export class EvaluationPlotModel extends RlrpModel {}
export class RelevanceExplorerView extends RlrpView {}
export class RuleComparisonView extends RlrpView {}
export class EvaluationPlotView extends RlrpView {}

/** Every exported class by the name the kernel puts in `_model_name` / `_view_name`. */
export const WIDGET_CLASSES: Readonly<
  Record<string, typeof DOMWidgetModel | typeof DOMWidgetView>
> = {
  [MODEL_NAMES['relevance-explorer']]: RelevanceExplorerModel,
  [MODEL_NAMES['rule-comparison']]: RuleComparisonModel,
  [MODEL_NAMES['evaluation-plot']]: EvaluationPlotModel,
  [VIEW_NAMES['relevance-explorer']]: RelevanceExplorerView,
  [VIEW_NAMES['rule-comparison']]: RuleComparisonView,
  [VIEW_NAMES['evaluation-plot']]: EvaluationPlotView,
};

/** The version the front end registers. */
export const version = WIDGET_FRONTEND_VERSION;
