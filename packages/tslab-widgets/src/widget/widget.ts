import type { Comm } from '../comm/comm';
import type { IncomingCommMessage } from '../comm/comm-message';
import type { Displayable, MimeBundle } from '../display';
import { display, escapeHtml, MIME_BUNDLE } from '../display';
import type { JsonObject, JsonValue, WireObject, WireValue } from '../json';
import { isPlainObject, setOwn } from '../json';
import type { WidgetRuntime } from '../runtime/runtime';
import { getRuntime } from '../runtime/runtime';
import type { WidgetStateSource } from '../runtime/widget-registry';
import { bytesOf, insertBuffers, removeBuffers } from './buffers';
import type { TraitSerializers, TraitValidators } from './traits';
import { TraitError } from './traits';

/** Comm target of widget models (widget protocol 2). */
export const WIDGET_TARGET = 'jupyter.widget';
/** Protocol version sent in `comm_open` metadata. Front ends reject another major version. */
export const WIDGET_PROTOCOL_VERSION = '2.1.0';

/** A front-end module class: module name, semver range of the module, class name. */
export interface ModuleRef {
  /** npm-style module name the front end loads, e.g. `@jupyter-widgets/base` or `anywidget`. */
  module: string;
  /** Semver range of that module the front end must have registered, e.g. `^1.0.0`. */
  version: string;
  /** Class name inside the module, e.g. `AnyModel`. */
  name: string;
}

/** Options of the {@link Widget} constructor. */
export interface WidgetOptions<S extends object> {
  /** The front-end model class (`_model_module`, `_model_module_version`, `_model_name`). */
  model: ModuleRef;
  /** The front-end view class; omit for a model without a view. */
  view?: ModuleRef;
  /** Initial values of every trait. Only these keys are synced; binary values go as buffers. */
  state: S;
  /** Validators for values that arrive from the front end; unvalidated traits take them as-is. */
  traits?: TraitValidators<S>;
  /**
   * Kernel-owned traits: the front end sees them but cannot change them. An update from the front
   * end that names one is refused (reported as a {@link TraitError}) and the kernel's value is
   * sent back, so the front end does not keep showing a value the kernel does not have. An
   * optional trait absent from the state may be listed (see `kernelOwned`).
   */
  readOnly?: readonly (keyof S)[];
  /**
   * How traits whose kernel value is not wire data (a class instance, a `Map`, a tensor summary)
   * travel: `toWire` for every message to the front end, `fromWire` for values from it (before the
   * trait's validator).
   */
  serializers?: TraitSerializers<S>;
  /**
   * Whether this widget answers front-end updates with `echo_update` (protocol 2.1). Defaults to
   * the class's static {@link Widget.echoUpdates} (a subclass may override it).
   */
  echoUpdates?: boolean;
}

/** Where a trait change came from. */
export type ChangeSource = 'kernel' | 'frontend';

/** A change of one trait, passed to {@link Widget.observe} listeners. */
export interface TraitChange<S, K extends keyof S> {
  name: K;
  oldValue: S[K];
  newValue: S[K];
  source: ChangeSource;
}

/** Listener of trait changes. */
export type ChangeListener<S, K extends keyof S> = (change: TraitChange<S, K>) => void;
/** Listener of custom messages from the front end. */
export type CustomMessageListener = (
  content: JsonValue,
  buffers: readonly Uint8Array[],
) => void | Promise<void>;

/** Binary values accepted as custom-message buffers. */
export type BinaryValue = ArrayBuffer | ArrayBufferView;

const PROTOCOL_KEYS = new Set([
  '_model_module',
  '_model_module_version',
  '_model_name',
  '_view_module',
  '_view_module_version',
  '_view_name',
]);

/**
 * The kernel side of a Jupyter widget (widget protocol 2.1): typed state kept in sync with a
 * front-end model over a `jupyter.widget` comm.
 *
 * - `set()` changes traits, fires change listeners and sends one `update` with the changed keys;
 *   typed arrays anywhere in the state travel as binary buffers (`buffer_paths`).
 * - Updates from the front end are validated ({@link WidgetOptions.traits}), echoed back
 *   (`echo_update`), applied, and fire listeners with `source: 'frontend'`.
 * - `request_state` is answered with the full state; custom messages go both ways with buffers.
 * - A value changes when it is not `===` the old one: assign a new array to change an array trait.
 *
 * Subclass it, passing the front-end module classes and the initial state to `super`; override
 * {@link Widget.htmlFallback} / {@link Widget.textFallback} for what shows where the live view cannot.
 */
export class Widget<S extends object> implements Displayable, WidgetStateSource {
  /**
   * Default of {@link WidgetOptions.echoUpdates} for this class: when true (the default), updates
   * from the front end are echoed back (`echo_update`, protocol 2.1). A subclass may set its own.
   */
  static echoUpdates = true;

  /** Whether this widget echoes front-end updates (see {@link WidgetOptions.echoUpdates}). */
  echoUpdates: boolean;

  /** The model id, which is also the comm id. */
  readonly modelId: string;
  private readonly values: S;
  private readonly runtime: WidgetRuntime;
  private readonly comm: Comm;
  private readonly model: ModuleRef;
  private readonly view: ModuleRef | undefined;
  private readonly validators: TraitValidators<S>;
  private readonly serializers: TraitSerializers<S>;
  private readonly readOnly: ReadonlySet<keyof S>;
  private readonly changeListeners = new Map<keyof S | '*', Set<ChangeListener<S, keyof S>>>();
  private readonly customListeners = new Set<CustomMessageListener>();
  private readonly closeListeners = new Set<() => void>();
  /** Values being applied from the front end; not sent back as updates (they are echoed). */
  private frontendLock: Map<keyof S, unknown> | null = null;
  private batchDepth = 0;
  private readonly unsent = new Set<keyof S>();
  private isClosed = false;

  constructor(options: WidgetOptions<S>) {
    if (!isPlainObject(options?.state)) {
      throw new TypeError('tslab-widgets Widget: options.state must be an object of trait values.');
    }
    this.model = options.model;
    this.view = options.view;
    this.values = { ...options.state };
    this.validators = options.traits ?? {};
    this.serializers = options.serializers ?? {};
    this.readOnly = new Set(options.readOnly ?? []);
    for (const name of Object.keys(this.serializers) as (keyof S)[]) this.assertTrait(name);
    // Read through the constructor, not `Widget`, so that a subclass's static setting counts.
    this.echoUpdates = options.echoUpdates ?? (this.constructor as typeof Widget).echoUpdates;
    this.runtime = getRuntime();
    const split = removeBuffers(this.fullState());
    this.comm = this.runtime.comms.open(
      WIDGET_TARGET,
      { state: split.state, buffer_paths: split.bufferPaths },
      { metadata: { version: WIDGET_PROTOCOL_VERSION }, buffers: split.buffers },
    );
    this.modelId = this.comm.commId;
    this.runtime.widgets.set(this.modelId, this);
    this.comm.onMsg((message) => this.handleMessage(message));
    this.comm.onClose(() => this.afterClose());
  }

  /** `_model_name`. */
  get modelName(): string {
    return this.model.name;
  }
  /** `_model_module`. */
  get modelModule(): string {
    return this.model.module;
  }
  /** `_model_module_version`. */
  get modelModuleVersion(): string {
    return this.model.version;
  }
  /** True once the widget was closed from either side. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** The current value of trait `name`. */
  get<K extends keyof S>(name: K): S[K] {
    return this.values[name];
  }

  /** A shallow copy of all trait values. */
  get state(): Readonly<S> {
    return { ...this.values };
  }

  /**
   * Sets traits, fires change listeners and sends the changed ones to the front end in one update.
   * Throws for a key that is not a trait (declare it in the initial state).
   */
  set(patch: Partial<S>): void {
    this.applyChanges(patch, 'kernel');
  }

  /** Runs `fn` and sends all trait changes it makes as a single update at the end. */
  batch(fn: () => void): void {
    this.batchDepth++;
    try {
      fn();
    } finally {
      this.batchDepth--;
      if (this.batchDepth === 0) this.flush();
    }
  }

  /**
   * Calls `listener` after trait `name` (or any trait, with `'*'`) changed. Returns a function that
   * removes the listener. A listener's exception is reported to the front end and does not stop
   * the others.
   */
  observe<K extends keyof S>(name: K, listener: ChangeListener<S, K>): () => void;
  observe(name: '*', listener: ChangeListener<S, keyof S>): () => void;
  observe(name: keyof S | '*', listener: ChangeListener<S, keyof S>): () => void {
    const listeners = this.changeListeners.get(name) ?? new Set();
    this.changeListeners.set(name, listeners);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Sends a custom message (`{method: 'custom', content}`) with optional binary buffers. */
  send(content: JsonValue, buffers: readonly BinaryValue[] = []): void {
    this.comm.send({ method: 'custom', content }, { buffers: buffers.map(bytesOf) });
  }

  /** Calls `listener` for each custom message from the front end. Returns a remover. */
  onCustomMessage(listener: CustomMessageListener): () => void {
    this.customListeners.add(listener);
    return () => this.customListeners.delete(listener);
  }

  /** Calls `listener` once when the widget is closed from either side. Returns a remover. */
  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Closes the widget: the front-end model is destroyed and its views removed. */
  close(): void {
    if (this.isClosed) return;
    this.comm.close();
    this.afterClose();
  }

  /** Shows the widget in the running cell's output. */
  display(): void {
    display(this);
  }

  /** The full state as the front end sees it (protocol keys included), binary values in place. */
  fullState(): WireObject {
    const state: WireObject = {
      _model_module: this.model.module,
      _model_module_version: this.model.version,
      _model_name: this.model.name,
      _view_module: this.view?.module ?? null,
      _view_module_version: this.view?.version ?? '',
      _view_name: this.view?.name ?? null,
    };
    for (const name of Object.keys(this.values) as (keyof S)[]) {
      setOwn(state, name as string, this.wireValue(name));
    }
    return state;
  }

  /** Whether the front end may change trait `name` (see {@link WidgetOptions.readOnly}). */
  isReadOnly(name: keyof S): boolean {
    return this.readOnly.has(name);
  }

  /**
   * The display bundle: the widget view plus text/plain and text/html fallbacks. Inside a static
   * HTML export (see {@link WidgetRuntime.staticHtmlExport}) a widget whose
   * {@link Widget.viewInStaticHtmlExport} is false leaves the view out, so the exported page shows
   * the `text/html` fallback instead of a box that waits for a CDN.
   */
  [MIME_BUNDLE](): MimeBundle {
    const fallbacks = { 'text/plain': this.textFallback(), 'text/html': this.htmlFallback() };
    if (this.runtime.staticHtmlExport !== undefined && !this.viewInStaticHtmlExport()) {
      return { data: fallbacks, metadata: {} };
    }
    return {
      data: {
        'application/vnd.jupyter.widget-view+json': {
          model_id: this.modelId,
          version_major: 2,
          version_minor: 0,
        },
        ...fallbacks,
      },
      metadata: {},
    };
  }

  /**
   * Whether a static HTML export (`jupyter nbconvert --execute --to html`) keeps this widget's
   * live view. True: the exported page's widget manager loads the model's module from a CDN, which
   * works for modules published on npm. Override to return false for a module a CDN cannot serve
   * (unpublished, or a reader offline); the page then shows {@link Widget.htmlFallback}.
   */
  protected viewInStaticHtmlExport(): boolean {
    return true;
  }

  /** What a front end without widget support shows as plain text. Override to say more. */
  protected textFallback(): string {
    return `${this.constructor.name} widget (${this.model.module} ${this.model.name}, model ${this.modelId})`;
  }

  /** What a front end without widget support shows as HTML. Override for a static rendering. */
  protected htmlFallback(): string {
    return `<div class="tslab-widgets-fallback"><code>${escapeHtml(this.textFallback())}</code></div>`;
  }

  /**
   * Sends the given traits as an `update`, whatever their change state. Without names it sends
   * the full state, protocol keys included: what a front end rebuilding its model needs.
   */
  protected sendState(names?: readonly (keyof S)[]): void {
    if (this.isClosed) return;
    this.sendWire('update', names === undefined ? this.fullState() : this.wireState(names));
  }

  private assertTrait(name: keyof S): void {
    if (!Object.prototype.hasOwnProperty.call(this.values, name)) {
      throw new TypeError(
        `tslab-widgets: ${this.constructor.name} has no trait "${String(name)}"; declare it in ` +
          `the initial state passed to the Widget constructor.`,
      );
    }
  }

  /** Trait `name` as it travels: through its serializer, if it has one. */
  private wireValue(name: keyof S): WireValue {
    const serializer = this.serializers[name];
    const value = this.values[name];
    return (serializer ? serializer.toWire(value) : value) as WireValue;
  }

  private wireState(names: readonly (keyof S)[]): WireObject {
    const partial: WireObject = {};
    for (const name of names) setOwn(partial, name as string, this.wireValue(name));
    return partial;
  }

  private sendWire(method: 'update' | 'echo_update', state: WireObject): void {
    const split = removeBuffers(state);
    this.comm.send(
      { method, state: split.state, buffer_paths: split.bufferPaths },
      { buffers: split.buffers },
    );
  }

  private applyChanges(patch: Partial<S>, source: ChangeSource): void {
    const changes: TraitChange<S, keyof S>[] = [];
    for (const name of Object.keys(patch) as (keyof S)[]) {
      this.assertTrait(name);
      const oldValue = this.values[name];
      const newValue = patch[name] as S[keyof S];
      if (oldValue === newValue) continue;
      this.values[name] = newValue;
      this.unsent.add(name);
      changes.push({ name, oldValue, newValue, source });
    }
    this.batchDepth++;
    try {
      for (const change of changes) this.emitChange(change);
    } finally {
      this.batchDepth--;
    }
    if (this.batchDepth === 0) this.flush();
  }

  private emitChange(change: TraitChange<S, keyof S>): void {
    const listeners = [
      ...(this.changeListeners.get(change.name) ?? []),
      ...(this.changeListeners.get('*') ?? []),
    ];
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (error) {
        this.runtime.channel.reportError(
          error,
          `change listener of trait "${String(change.name)}" of ${this.constructor.name} ${this.modelId}`,
        );
      }
    }
  }

  /** Sends traits changed since the last flush, except values just received from the front end. */
  private flush(): void {
    if (this.unsent.size === 0) return;
    const names = [...this.unsent].filter(
      (name) =>
        !(this.frontendLock?.has(name) && this.frontendLock.get(name) === this.values[name]),
    );
    this.unsent.clear();
    if (names.length > 0) this.sendState(names);
  }

  private async handleMessage(message: IncomingCommMessage): Promise<void> {
    const method = message.data['method'];
    switch (method) {
      case 'update':
        this.handleUpdate(message);
        return;
      case 'request_state':
        // The full state, protocol keys included: a reloaded page rebuilds its model from it.
        this.sendState();
        return;
      case 'custom':
        await this.handleCustom(message);
        return;
      default:
        throw new Error(
          `unknown widget message method ${JSON.stringify(method)} for ${this.constructor.name} ` +
            `${this.modelId}; expected update, request_state or custom`,
        );
    }
  }

  private handleUpdate(message: IncomingCommMessage): void {
    const rawState = message.data['state'];
    if (!isPlainObject(rawState)) {
      throw new Error(`update for ${this.modelId} has no state object`);
    }
    const received = insertBuffers(
      rawState as JsonObject,
      message.data['buffer_paths'],
      message.buffers,
    );
    // A Map, not an object: trait names come from the network.
    const accepted = new Map<keyof S, S[keyof S]>();
    const rejected: (keyof S)[] = [];
    for (const key of Object.keys(received)) {
      if (PROTOCOL_KEYS.has(key)) continue;
      if (!Object.prototype.hasOwnProperty.call(this.values, key)) {
        this.runtime.channel.log(`update for unknown trait "${key}" of ${this.modelId} ignored`);
        continue;
      }
      const name = key as keyof S;
      try {
        accepted.set(name, this.fromFrontend(name, received[key]));
      } catch (error) {
        rejected.push(name);
        const reason = error instanceof Error ? error.message : String(error);
        this.runtime.channel.reportError(
          new TraitError(
            `trait "${key}" of ${this.constructor.name} ${this.modelId} rejected a value from ` +
              `the front end: ${reason}`,
          ),
          'widget update',
        );
      }
    }
    const acceptedNames = [...accepted.keys()];
    if (this.echoUpdates && acceptedNames.length > 0) {
      const echo: WireObject = {};
      for (const [name, value] of accepted) {
        const serializer = this.serializers[name];
        setOwn(echo, name as string, (serializer ? serializer.toWire(value) : value) as WireValue);
      }
      this.sendWire('echo_update', echo);
    }
    this.frontendLock = accepted;
    const patch = {} as Partial<S>;
    for (const [name, value] of accepted) setOwn(patch, name as string, value);
    try {
      this.applyChanges(patch, 'frontend');
    } finally {
      this.frontendLock = null;
    }
    // The front end shows a value the kernel refused: send the kernel's value back.
    if (rejected.length > 0) this.sendState(rejected);
  }

  /** A value from the front end for trait `name`: refused when read-only, else decoded and checked. */
  private fromFrontend(name: keyof S, value: unknown): S[keyof S] {
    if (this.readOnly.has(name)) {
      throw new TraitError('it is read-only: only the kernel sets it');
    }
    const serializer = this.serializers[name];
    const decoded = serializer?.fromWire ? serializer.fromWire(value) : value;
    const validator = this.validators[name];
    return (validator ? validator(decoded) : decoded) as S[keyof S];
  }

  private async handleCustom(message: IncomingCommMessage): Promise<void> {
    const content = (message.data['content'] ?? null) as JsonValue;
    for (const listener of [...this.customListeners]) {
      try {
        await listener(content, message.buffers);
      } catch (error) {
        this.runtime.channel.reportError(
          error,
          `custom message listener of ${this.constructor.name} ${this.modelId}`,
        );
      }
    }
  }

  private afterClose(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.runtime.widgets.delete(this.modelId);
    for (const listener of [...this.closeListeners]) {
      try {
        listener();
      } catch (error) {
        this.runtime.channel.reportError(error, `close listener of ${this.modelId}`);
      }
    }
  }
}
