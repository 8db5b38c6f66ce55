/**
 * The model API the views rely on: the subset shared by @jupyter-widgets/base's WidgetModel and
 * anywidget's model, so one `render({ model, el })` function serves every shell.
 */

/** Listener signature of Backbone-style model events. */
export type ModelListener = (...args: unknown[]) => void;

/** A widget model as seen by a view of state `S`. */
export interface WidgetModelLike<S> {
  get<K extends keyof S & string>(key: K): S[K];
  on(event: string, listener: ModelListener): void;
  off(event?: string | null, listener?: ModelListener | null): void;
  /** Sends a custom message (`{method: 'custom', content}`) to the kernel. */
  send(content: object, callbacks?: unknown, buffers?: ArrayBuffer[] | ArrayBufferView[]): void;
}

/** What a view renders into, anywidget-style. */
export interface RenderContext<S> {
  model: WidgetModelLike<S>;
  el: HTMLElement;
}

/** Releases listeners and plotly figures of a rendered view. */
export type Cleanup = () => void;
