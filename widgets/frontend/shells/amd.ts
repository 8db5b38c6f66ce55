/**
 * Entry of the AMD module @jupyter-widgets/html-manager loads as
 * `<cdn>@rlrp/widgets@<version>/dist/index.js`. The build marks @jupyter-widgets/base external and
 * wraps the bundle in `define(['@jupyter-widgets/base'], …)` so the classes extend the manager's
 * own copy of the base classes.
 */
export {
  EvaluationPlotModel,
  EvaluationPlotView,
  RelevanceExplorerModel,
  RelevanceExplorerView,
  RuleComparisonModel,
  RuleComparisonView,
  version,
} from './widget-classes';
