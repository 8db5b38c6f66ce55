/**
 * @rlrp/widgets — live relevance widgets for Jupyter (kernel side for tslab cells).
 *
 * @packageDocumentation
 */
export * from './schema';
export * from './errors';
export {
  defaultFallbackPlotly,
  escapeInlineScript,
  FALLBACK_PLOTLY_ENV,
  fallbackHtml,
  snapshotHtml,
  tableHtml,
} from './fallback/fallback-html';
export type { FallbackContent, FallbackPlotly } from './fallback/fallback-html';
export { bytesToBase64, savedState, savedViewState } from './fallback/saved-state';
export { explorerSnapshot, comparisonSnapshot } from './fallback/snapshots';
export { quantiseToBytes, bytesToValues } from './quantise';
export { RlrpWidget } from './rlrp-widget';
export { explore, RelevanceExplorer } from './relevance-explorer';
export type { ExploreOptions, ExplorerWireState } from './relevance-explorer';
export { compareRules, RuleComparison } from './rule-comparison';
export type { CompareRulesOptions, ComparisonWireState } from './rule-comparison';
export { plotEvaluation, EvaluationPlot, comparisonPanels } from './evaluation-plot';
export type { PlotEvaluationOptions, EvaluationWireState } from './evaluation-plot';
export { colorscaleOf, type Colorscale } from './colormaps';
export { ruleLabel, ruleOptions } from './kernel/rule-labels';
export {
  traceLayers,
  drawnTrace,
  traceLayersFrom,
  drawnMap,
  inputImage,
  channelValues,
  rankedClasses,
} from './kernel/tensors';
export type { KernelImage, KernelLayer } from './kernel/tensors';
export { ANYWIDGET_VERSION_RANGE, type FrontendTarget } from './kernel/frontend-target';
export { ASSETS, assetPath, WIDGETS_ROOT } from './assets';
export {
  anywidgetRanges,
  copyAnywidgetAssets,
  copyStaticAssets,
  exportNotebookHtml,
  localizeWidgetHtml,
  markStaticWidgetState,
  repairWidgetStateScripts,
  STATIC_ASSETS_DIR,
  withStandardWidgetState,
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
