/**
 * @rlrp/widgets — live relevance widgets for Jupyter (kernel side for tslab cells).
 *
 * @packageDocumentation
 */
export * from './schema';
export * from './errors';
export { fallbackFigure, fallbackLayer, sumChannels, float32ToBase64 } from './fallback/fallback-figure';
export type { KernelImage, KernelLayer } from './fallback/fallback-figure';
export { fallbackHtml, escapeInlineScript } from './fallback/fallback-html';
export type { FallbackPlotly } from './fallback/fallback-html';
