/**
 * The part of the plotly.js API the views use. plotly.js-dist-min ships no types; figures are
 * plain JSON-like objects, so traces and layouts are typed as records.
 */
declare module 'plotly.js-dist-min' {
  /** A plotly trace or layout fragment. */
  export type PlotlyObject = Record<string, unknown>;

  /** Options of the plotly toolbar and interaction. */
  export type PlotlyConfig = Record<string, unknown>;

  /** The subset of the plotly.js global used here. */
  export interface PlotlyApi {
    react(
      root: HTMLElement,
      data: PlotlyObject[],
      layout?: PlotlyObject,
      config?: PlotlyConfig,
    ): Promise<HTMLElement>;
    restyle(root: HTMLElement, update: PlotlyObject, traces?: number[]): Promise<HTMLElement>;
    update(
      root: HTMLElement,
      traceUpdate: PlotlyObject,
      layoutUpdate: PlotlyObject,
    ): Promise<HTMLElement>;
    purge(root: HTMLElement): void;
  }

  const Plotly: PlotlyApi;
  export default Plotly;
}
