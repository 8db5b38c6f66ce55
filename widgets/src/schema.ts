/**
 * The state schema shared by the kernel side (tslab cells) and every front-end shell.
 *
 * This file is DOM-free and tfjs-free on purpose: the browser bundles import its types and
 * constants, the kernel side builds states that satisfy them. widgets/README.md documents the
 * same schema for readers; keep both in step.
 */

/** npm module name under which the front ends register the model and view classes. */
export const WIDGET_MODULE = '@rlrp/widgets';

/** Version the kernel puts in `_model_module_version` / `_view_module_version` (a semver range). */
export const WIDGET_MODULE_VERSION = '^0.1.0';

/** The version the front-end bundles register (must satisfy {@link WIDGET_MODULE_VERSION}). */
export const WIDGET_FRONTEND_VERSION = '0.1.0';

/**
 * Notebook metadata key under which the classic Notebook extension saves the widgets' state (the
 * `application/vnd.jupyter.widget-state+json` form). Not the standard `metadata.widgets`: with
 * that, nbconvert and nbviewer render the widget-view output through html-manager, which asks a
 * CDN for `@rlrp/widgets` (not published) and shows an empty box, where without it they show
 * the text/html fallback's picture. `rlrp-widgets export-html` moves it to `metadata.widgets`.
 */
export const SAVED_STATE_METADATA_KEY = 'rlrp-widgets';

/**
 * Trait that `rlrp-widgets export-html` ({@link localizeWidgetHtml}) sets to `true` in the saved
 * state of this package's widgets: the page has no kernel. anywidget hands its views a model
 * proxy without `comm_live` (the flag @jupyter-widgets/base models carry), so this mark is how an
 * anywidget-rendered view in an export knows to disable what needs a kernel.
 */
export const STATIC_EXPORT_TRAIT = '_rlrp_static_export';

/** Which view a state belongs to; the anywidget shell dispatches on it. */
export type WidgetKind = 'relevance-explorer' | 'rule-comparison' | 'evaluation-plot';

/** Model class name (`_model_name`) of each kind in this package's own shells. */
export const MODEL_NAMES: Readonly<Record<WidgetKind, string>> = {
  'relevance-explorer': 'RelevanceExplorerModel',
  'rule-comparison': 'RuleComparisonModel',
  'evaluation-plot': 'EvaluationPlotModel',
};

/** View class name (`_view_name`) of each kind in this package's own shells. */
export const VIEW_NAMES: Readonly<Record<WidgetKind, string>> = {
  'relevance-explorer': 'RelevanceExplorerView',
  'rule-comparison': 'RuleComparisonView',
  'evaluation-plot': 'EvaluationPlotView',
};

/**
 * Float32 values on the wire. The kernel side puts a `Float32Array` in the state and lists its
 * path in `buffer_paths`; front ends receive a `DataView` (ipywidgets and anywidget) over the
 * little-endian bytes. The fallback HTML carries the same bytes base64-encoded.
 */
export type Float32Payload = Float32Array | DataView | ArrayBuffer | string;

/** Names of the colour maps every view offers (diverging maps centred on zero). */
export type ColormapName = 'bwr' | 'seismic' | 'coldnhot' | 'gray';

/** All colour map names, in menu order. */
export const COLORMAP_NAMES: readonly ColormapName[] = ['bwr', 'seismic', 'coldnhot', 'gray'];

/**
 * Bytes on the wire: a `Uint8Array` in the kernel, a `DataView` / `ArrayBuffer` in front ends, a
 * base64 string in the saved state the text/html fallback embeds.
 */
export type BytePayload = Uint8Array | DataView | ArrayBuffer | string;

/**
 * An input image: `[H, W]` or `[H, W, C]` (C = 1 or 3), row-major, channels last, quantised to
 * 8 bits over `range` (a screen shows no more grey levels; the full tensor stays in the kernel).
 */
export interface ImageState {
  /** Shape without the batch axis. */
  shape: number[];
  /** Pixel values, row-major, `round(255 · (v − min) / (max − min))`. */
  data: BytePayload;
  /** `[min, max]` of the pixel values, used to map them back and to grey levels / RGB. */
  range: [number, number];
}

/** Relevance of one layer's output for the explained sample. */
export interface LayerState {
  /** Layer name in the model. */
  name: string;
  /** Keras class name (`Dense`, `Conv2D`, …, `InputLayer`). */
  class_name: string;
  /** Output shape without the batch axis: `[units]` (dense) or `[H, W, C]` (spatial). */
  shape: number[];
  /**
   * What the view draws: the channel sum `[H, W]` of a spatial layer, every value of a dense one.
   * Single channels travel only when asked for ({@link ChannelRequest}).
   */
  data: Float32Payload;
  /** L1 mass Σ|R|. */
  mass: number;
  /** Signed sum ΣR (conservation: equal at every layer for conservative rules). */
  sum: number;
  /** Whether all relevance vanished at this layer. */
  vanished: boolean;
}

/** One selectable rule: value sent to the kernel, label shown. */
export interface RuleOption {
  value: string;
  label: string;
}

/** One selectable target class with its predicted probability. */
export interface ClassOption {
  index: number;
  label: string;
  probability: number;
}

/** Traits every widget of this package carries besides the `_model_*` / `_view_*` ones. */
export interface CommonState {
  /** Which view renders this state. */
  kind: WidgetKind;
  /** Heading shown above the widget. */
  title: string;
}

/** State of the RelevanceExplorer widget. */
export interface RelevanceExplorerState extends CommonState {
  kind: 'relevance-explorer';
  /** The explained input (sample 0 of the batch). */
  input: ImageState;
  /** The trace: output layer first, input layer last. */
  layers: LayerState[];
  /** The rule or preset of the current trace. */
  rule: string;
  /** Human-readable description of the rule (from the engine). */
  rule_description: string;
  /** Rules and presets the rule selector offers. */
  rules: RuleOption[];
  /** The explained class of the current trace. */
  target: number;
  /** Every class with its probability, most probable first, for the target selector. */
  classes: ClassOption[];
  /** Initial colour map (changing it is front-end only). */
  colormap: ColormapName;
  /** Initial overlay mode (front-end only). */
  overlay: boolean;
  /** Initial overlay opacity in [0, 1] (front-end only). */
  overlay_opacity: number;
  /** True while the kernel recomputes a trace. */
  busy: boolean;
  /** Last error from the kernel, empty when none. */
  error: string;
  /** Increments every time a new trace arrives. */
  generation: number;
  /** `request_id` of the explain request this trace answers (0 for the first trace). */
  request_id: number;
  /** Time the kernel spent on the backward pass of the current trace, in milliseconds. */
  backward_ms: number;
}

/** One heatmap of the RuleComparison grid. */
export interface RuleMapState {
  rule: string;
  label: string;
  /** `[H, W]` (already summed over channels by the kernel) or `[H, W, C]`. */
  shape: number[];
  data: Float32Payload;
  mass: number;
  sum: number;
}

/** State of the RuleComparison widget. */
export interface RuleComparisonState extends CommonState {
  kind: 'rule-comparison';
  input: ImageState;
  /** One entry per rule, in display order. */
  maps: RuleMapState[];
  /** The explained class. */
  target: number;
  target_label: string;
  colormap: ColormapName;
  /** Columns of the grid (the input takes the first cell). */
  columns: number;
}

/** One line of an evaluation panel. */
export interface EvaluationSeries {
  /** Explanation method (rule) this line belongs to. */
  method: string;
  x: number[];
  y: number[];
  /** Area under the curve, shown in the legend when given. */
  auc?: number;
}

/** One chart of the EvaluationPlot widget. */
export interface EvaluationPanel {
  /** `keep-top-k`, `deletion`, `insertion`, or another metric id. */
  id: string;
  title: string;
  x_label: string;
  y_label: string;
  series: EvaluationSeries[];
}

/** State of the EvaluationPlot widget. */
export interface EvaluationPlotState extends CommonState {
  kind: 'evaluation-plot';
  panels: EvaluationPanel[];
}

/** Custom message front end → kernel: recompute the trace for another rule or target. */
export interface ExplainRequest {
  type: 'explain';
  rule: string;
  target: number;
  /** Chosen by the front end; echoed back in the state's `request_id`. */
  request_id: number;
}

/**
 * Custom message front end → kernel: send one channel of a spatial layer of the current trace.
 * The kernel answers with a {@link ChannelReply} custom message carrying the values as one buffer.
 */
export interface ChannelRequest {
  type: 'channel';
  /** Trace position (0 = output layer). */
  layer: number;
  channel: number;
  /** The trace generation the front end shows; a reply for another generation is dropped. */
  generation: number;
}

/** Custom message kernel → front end: one channel `[H, W]` as Float32 in `buffers[0]`. */
export interface ChannelReply {
  type: 'channel';
  layer: number;
  channel: number;
  generation: number;
}

/** Every custom message a front end sends. */
export type FrontendMessage = ExplainRequest | ChannelRequest;

/** Event the views dispatch on their element after plotly finished drawing (tests, benchmark). */
export const DRAWN_EVENT = 'rlrp:drawn';

/** `detail` of {@link DRAWN_EVENT}. */
export interface DrawnEventDetail {
  /** What caused the redraw. */
  reason: 'initial' | 'layer-step' | 'trace-update' | 'style';
  /** Trace position shown now (RelevanceExplorer). */
  layer: number;
  /** Milliseconds from the triggering front-end event to the end of the redraw. */
  ms: number;
  /** `request_id` answered, for `trace-update`. */
  request_id: number;
  /** For `trace-update`: milliseconds from the new trace's arrival to the end of the redraw. */
  draw_ms?: number;
}
