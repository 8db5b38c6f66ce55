/**
 * @rlrp/widgets — live relevance widgets for Jupyter (kernel side for tslab cells).
 *
 * @packageDocumentation
 */
export * from './schema';
export * from './errors';
export {
  fallbackFigure,
  fallbackLayer,
  sumChannels,
  float32ToBase64,
} from './fallback/fallback-figure';
export type { KernelImage, KernelLayer } from './fallback/fallback-figure';
export {
  defaultFallbackPlotly,
  escapeInlineScript,
  FALLBACK_PLOTLY_ENV,
  fallbackHtml,
} from './fallback/fallback-html';
export type { FallbackPlotly } from './fallback/fallback-html';
export { explore, RelevanceExplorer } from './relevance-explorer';
export type { ExploreOptions, ExplorerWireState } from './relevance-explorer';
export { compareRules, RuleComparison } from './rule-comparison';
export type { CompareRulesOptions, ComparisonWireState } from './rule-comparison';
export { plotEvaluation, EvaluationPlot, comparisonPanels } from './evaluation-plot';
export type { PlotEvaluationOptions, EvaluationWireState } from './evaluation-plot';
export { plotlyFigureHtml } from './fallback/fallback-html';
export type { PlotlyFigure } from './fallback/fallback-html';
export { ruleGridFigure, evaluationFigure, type GridMap } from './fallback/static-figures';
export { colorscaleOf, type Colorscale } from './colormaps';
export { ruleLabel, ruleOptions } from './kernel/rule-labels';
export { traceLayers, inputImage } from './kernel/tensors';
export { ANYWIDGET_VERSION_RANGE, type FrontendTarget } from './kernel/frontend-target';
export { ASSETS, assetPath, WIDGETS_ROOT } from './assets';
export {
  anywidgetRanges,
  copyAnywidgetAssets,
  copyStaticAssets,
  exportNotebookHtml,
  localizeWidgetHtml,
  repairWidgetStateScripts,
  STATIC_ASSETS_DIR,
} from './static-export';
export type { ExportHtmlOptions } from './static-export';
export {
  installNbextension,
  NBEXTENSION_REQUIRE,
  CONFLICTING_NBEXTENSION,
} from './nbextension-install';
export type { InstallNbextensionOptions } from './nbextension-install';
export {
  installLabextension,
  labextensionsDir,
  LABEXTENSION_NAME,
  LABEXTENSION_REQUIREMENTS,
} from './labextension-install';
export type { InstallLabextensionOptions, LabextensionScope } from './labextension-install';
