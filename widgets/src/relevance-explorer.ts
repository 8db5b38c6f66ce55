/**
 * Kernel side of the RelevanceExplorer: keeps one forward pass (an @rlrp/core session) per widget
 * and answers the front end's `explain` requests by rerunning only the backward pass.
 */
import * as tf from '@tensorflow/tfjs';
import {
  messageOf,
  prepare,
  type Explanation,
  type ExplanationSession,
  type PrepareOptions,
  type RuleChoice,
} from '@rlrp/core';
import { kernelOwned, traits, type JsonValue, type TraitOwnership } from 'tslab-widgets';
import { WidgetOptionError } from './errors';
import { snapshotHtml, type FallbackPlotly } from './fallback/fallback-html';
import { explorerSnapshot } from './fallback/snapshots';
import { RlrpWidget } from './rlrp-widget';
import {
  frontendBinding,
  resolveTarget,
  type FrontendBinding,
  type AnywidgetTraits,
  type FrontendTarget,
} from './kernel/frontend-target';
import { ruleLabel, ruleOptions } from './kernel/rule-labels';
import { LatestOnly } from './kernel/latest-only';
import {
  asBatch,
  channelValues,
  drawnTrace,
  inputImage,
  rankedClasses,
  traceLayersFrom,
  type KernelImage,
  type KernelLayer,
} from './kernel/tensors';
import {
  COLORMAP_NAMES,
  type ChannelReply,
  type ChannelRequest,
  type ColormapName,
  type ExplainRequest,
  type FrontendMessage,
  type RelevanceExplorerState,
} from './schema';

/** Options of {@link explore}. */
export interface ExploreOptions {
  /** Rule or preset of the first trace; default `'rlrp'`. */
  rule?: string;
  /** Class to explain; default the predicted class. */
  target?: number | 'predicted';
  /** Rules the rule selector offers; default every rule and preset of @rlrp/core. */
  rules?: readonly string[];
  /** Class names, index = class; default the indices. */
  classLabels?: readonly string[];
  /** Heading; default "Relevance explorer". */
  title?: string;
  /** Initial colour map; default `bwr`. */
  colormap?: ColormapName;
  /** Start in overlay mode; default false. */
  overlay?: boolean;
  /** Overlay opacity in [0, 1]; default 0.6. */
  overlayOpacity?: number;
  /** Front end: this package's (`rlrp`, default) or anywidget's (`anywidget`). */
  frontend?: FrontendTarget;
  /**
   * How the text/html fallback gets plotly: `none` (default: a static snapshot, a few KB),
   * `inline` (interactive anywhere, +4.8 MB) or `{ src: URL }`.
   */
  fallbackPlotly?: FallbackPlotly;
  /** Display the widget at once; default true. */
  display?: boolean;
  /** Options of the engine's `prepare()`. */
  prepare?: PrepareOptions;
}

/**
 * The explorer's state as it travels: what the view draws (channel sums of spatial layers as
 * Float32Array buffers, the input as 8-bit levels), not the full relevance tensors.
 */
export type ExplorerWireState = Omit<RelevanceExplorerState, 'layers' | 'input'> &
  AnywidgetTraits & {
    layers: KernelLayer[];
    input: KernelImage;
  };

/**
 * Who owns each trait: the kernel computes the traces and the options; the front end may change
 * only how it draws them.
 */
const EXPLORER_TRAITS: TraitOwnership<ExplorerWireState> = {
  kind: 'kernel',
  title: 'kernel',
  input: 'kernel',
  layers: 'kernel',
  rule: 'kernel',
  rule_description: 'kernel',
  rules: 'kernel',
  target: 'kernel',
  classes: 'kernel',
  colormap: 'both',
  overlay: 'both',
  overlay_opacity: 'both',
  busy: 'kernel',
  error: 'kernel',
  generation: 'kernel',
  request_id: 'kernel',
  backward_ms: 'kernel',
  _esm: 'kernel',
  _plotly: 'kernel',
};

/** The RelevanceExplorer widget (kernel side). Close it to release its forward pass. */
export class RelevanceExplorer extends RlrpWidget<ExplorerWireState> {
  private readonly session: ExplanationSession;
  private readonly ownedInput: tf.Tensor | undefined;
  private readonly explainQueue = new LatestOnly<ExplainRequest>((request) => this.apply(request));
  /**
   * The shown trace's explanation, kept for channel requests. Released before the next one is
   * computed (see {@link apply}), so `undefined` while a computation runs and after one failed,
   * until a channel request computes the shown trace again ({@link shownExplanation}).
   */
  private current: Explanation | undefined;
  /** Why the shown trace could not be computed again after a failure; cleared by the next trace. */
  private shownTraceLost: string | undefined;
  private released = false;

  /** Use {@link explore}. */
  constructor(model: tf.LayersModel, input: tf.Tensor, options: ExploreOptions = {}) {
    const start = initialState(model, input, options);
    super(
      {
        model: start.binding.model,
        view: start.binding.view,
        state: start.state,
        readOnly: kernelOwned(EXPLORER_TRAITS),
        traits: {
          colormap: traits.oneOf(COLORMAP_NAMES),
          overlay: traits.boolean(),
          overlay_opacity: traits.number({ min: 0, max: 1 }),
        },
      },
      options.fallbackPlotly,
    );
    this.session = start.session;
    this.current = start.explanation;
    this.ownedInput = start.ownedInput;
    // A malformed request throws here, is reported to the front end, and leaves later requests
    // unaffected. Explain requests are queued newest-only (see LatestOnly); channel requests are
    // cheap reads of the kept trace and answered at once.
    this.onCustomMessage((content) => {
      const request = parseRequest(content);
      if (request.type === 'channel') this.sendChannel(request);
      else {
        this.set({ busy: true });
        this.explainQueue.submit(request);
      }
    });
    this.onClose(() => this.release());
  }

  /** Explains with another rule and/or target at once (what the front end's selectors ask for). */
  explain(rule: string, target: number): void {
    this.apply({ type: 'explain', rule, target, request_id: 0 });
  }

  /** Settles when the front end's queued explain requests have been answered. */
  settled(): Promise<void> {
    return this.explainQueue.settled();
  }

  /** The number of traces computed so far. */
  get generation(): number {
    return this.get('generation');
  }

  /** Closes the widget and releases the kept forward pass. */
  dispose(): void {
    this.close();
    this.release();
  }

  protected staticHtml(): string {
    const layers = this.get('layers');
    return snapshotHtml(
      explorerSnapshot(this.get('input'), layers[layers.length - 1], this.get('colormap')),
      `${this.get('title')} — ${this.get('rule_description')}, target ${this.get('target')}: ` +
        `input and its relevance (${layers.length} layers; interactive with a running kernel)`,
    );
  }

  protected override textFallback(): string {
    const layers = this.get('layers');
    return `RelevanceExplorer: ${ruleLabel(this.get('rule'))}, target ${this.get('target')}, ${layers.length} layers`;
  }

  private sendChannel(request: ChannelRequest): void {
    if (request.generation !== this.get('generation')) return; // an older trace's
    const layer = this.shownExplanation()?.trace?.[request.layer];
    if (!layer) return;
    const reply: ChannelReply = { ...request };
    this.send({ ...reply }, [channelValues(layer.relevance, request.channel)]);
  }

  private apply(request: ExplainRequest): void {
    if (this.released) return;
    this.set({ busy: true, error: '' });
    // The shown trace goes before the next is computed. Holding both made the first clicks
    // allocate a second trace (VGG16: about 54 MB) in fresh memory while the wasm heap grew, and
    // fresh pages are slow on this project's machines: in a tslab kernel the first click on VGG16
    // took 453–481 ms instead of 141–144 ms (docs/performance.md, "Eleventh round").
    this.current?.dispose();
    this.current = undefined;
    let next: ReturnType<typeof computeTrace>;
    try {
      next = computeTrace(this.session, request.rule, request.target);
    } catch (error) {
      // The front end keeps showing the trace it has; its channels are computed again if asked for.
      this.set({
        busy: false,
        error: messageOf(error),
        request_id: request.request_id,
      });
      return;
    }
    this.current = next.explanation;
    this.shownTraceLost = undefined;
    this.set({
      layers: next.layers,
      rule: request.rule,
      rule_description: next.description,
      target: request.target,
      backward_ms: next.ms,
      request_id: request.request_id,
      error: '',
      busy: false,
      generation: this.get('generation') + 1,
    });
  }

  /**
   * The shown trace's explanation; after a failed computation released it, the shown rule and
   * target are computed again (the same values) on the first channel request. When that fails too,
   * the widget's error says so and channel requests go unanswered until the next trace.
   */
  private shownExplanation(): Explanation | undefined {
    if (this.released) return undefined;
    if (this.current === undefined && this.shownTraceLost === undefined) {
      try {
        this.current = computeTrace(this.session, this.get('rule'), this.get('target')).explanation;
      } catch (error) {
        this.shownTraceLost = messageOf(error);
        this.set({
          error: `The shown trace's channels cannot be drawn until the next trace: ${this.shownTraceLost}`,
        });
      }
    }
    return this.current;
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.current?.dispose();
    this.session.dispose();
    this.ownedInput?.dispose();
  }
}

/** Prepares the session and computes the first trace; releases everything if that fails. */
function initialState(
  model: tf.LayersModel,
  input: tf.Tensor,
  options: ExploreOptions,
): {
  session: ExplanationSession;
  explanation: Explanation;
  ownedInput: tf.Tensor | undefined;
  binding: FrontendBinding;
  state: ExplorerWireState;
} {
  validateOptions(options);
  const binding = frontendBinding('relevance-explorer', resolveTarget(options.frontend));
  const { batch, owned } = asBatch(model, input);
  let session: ExplanationSession | undefined;
  try {
    session = prepare(model, batch, options.prepare);
    const probabilities = session.probabilities();
    const classes = rankedClasses(probabilities, options.classLabels);
    probabilities.dispose();
    const rule = options.rule ?? 'rlrp';
    const target =
      options.target === undefined || options.target === 'predicted'
        ? session.predicted[0]
        : options.target;
    const input = inputImage(batch);
    const rules = ruleOptions(options.rules);
    // Last of what may throw: nothing after it has to release the kept explanation.
    const first = computeTrace(session, rule, target);
    const state: ExplorerWireState = {
      kind: 'relevance-explorer',
      title: options.title ?? 'Relevance explorer',
      input,
      layers: first.layers,
      rule,
      rule_description: first.description,
      rules,
      target,
      classes,
      colormap: options.colormap ?? 'bwr',
      overlay: options.overlay ?? false,
      overlay_opacity: options.overlayOpacity ?? 0.6,
      busy: false,
      error: '',
      generation: 1,
      request_id: 0,
      backward_ms: first.ms,
      ...binding.extraState,
    };
    return {
      session,
      explanation: first.explanation,
      ownedInput: owned ? batch : undefined,
      binding,
      state,
    };
  } catch (error) {
    session?.dispose();
    if (owned) batch.dispose();
    throw error;
  }
}

/**
 * Runs the backward pass with a trace and reads what the view draws of sample 0 in the same
 * device read as the explanation's own checks (one read per click, for every rule). The
 * explanation is returned, kept for channel requests; the caller disposes it.
 */
function computeTrace(
  session: ExplanationSession,
  rule: string,
  target: number,
): { layers: KernelLayer[]; description: string; ms: number; explanation: Explanation } {
  const started = performance.now();
  const { explanation, values } = session.explainAndRead(
    { rule: rule as RuleChoice, target, trace: true },
    (e) => drawnTrace(e.trace ?? []),
  );
  try {
    const layers = traceLayersFrom(explanation.trace ?? [], values);
    return {
      layers,
      description: explanation.ruleDescription,
      ms: performance.now() - started,
      explanation,
    };
  } catch (error) {
    explanation.dispose();
    throw error;
  }
}

/** Checks a custom message from the front end. */
function parseRequest(content: JsonValue): FrontendMessage {
  const channel = content as Partial<ChannelRequest> | null;
  if (channel?.type === 'channel') {
    if (![channel.layer, channel.channel, channel.generation].every(Number.isInteger)) {
      throw new WidgetOptionError(
        'message',
        `expected {type: "channel", layer, channel, generation: integers}, got ${JSON.stringify(content)}.`,
      );
    }
    return {
      type: 'channel',
      layer: Number(channel.layer),
      channel: Number(channel.channel),
      generation: Number(channel.generation),
    };
  }
  const message = content as Partial<ExplainRequest> | null;
  if (
    !message ||
    message.type !== 'explain' ||
    typeof message.rule !== 'string' ||
    typeof message.target !== 'number' ||
    !Number.isInteger(message.target)
  ) {
    throw new WidgetOptionError(
      'message',
      `expected {type: "explain", rule: string, target: integer, request_id}, got ${JSON.stringify(content)}.`,
    );
  }
  return {
    type: 'explain',
    rule: message.rule,
    target: message.target,
    request_id: Number(message.request_id) || 0,
  };
}

function validateOptions(options: ExploreOptions): void {
  if (options.colormap !== undefined && !COLORMAP_NAMES.includes(options.colormap)) {
    throw new WidgetOptionError(
      'colormap',
      `"${options.colormap}" is unknown; use one of ${COLORMAP_NAMES.join(', ')}.`,
    );
  }
  if (
    options.overlayOpacity !== undefined &&
    !(options.overlayOpacity >= 0 && options.overlayOpacity <= 1)
  ) {
    throw new WidgetOptionError('overlayOpacity', `${options.overlayOpacity} is outside [0, 1].`);
  }
  if (
    options.target !== undefined &&
    options.target !== 'predicted' &&
    !Number.isInteger(options.target)
  ) {
    throw new WidgetOptionError(
      'target',
      `${options.target} is not a class index; pass an integer or 'predicted'.`,
    );
  }
}

/**
 * Shows the RelevanceExplorer of one sample: input and relevance side by side, a layer stepper
 * over the whole trace, rule/target/colour map selectors and the relevance mass per layer.
 * Displays the widget (unless `display: false`) and returns it; `widget.dispose()` releases the
 * kept forward pass.
 *
 * @param model - a tfjs LayersModel the engine supports
 * @param input - one sample, with or without the batch axis
 */
export function explore(
  model: tf.LayersModel,
  input: tf.Tensor,
  options: ExploreOptions = {},
): RelevanceExplorer {
  const widget = new RelevanceExplorer(model, input, options);
  if (options.display !== false) widget.display();
  return widget;
}
