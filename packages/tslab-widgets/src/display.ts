import type { JsonObject } from './json';
import { isPlainObject } from './json';
import { getRuntime } from './runtime/runtime';

/**
 * Key of the method an object implements to choose how it is displayed: by `display(obj)`, and as a
 * cell's result when it is the cell's last expression. `Symbol.for` makes it the same across copies
 * of this package.
 */
export const MIME_BUNDLE: unique symbol = Symbol.for('tslab-widgets.mimebundle') as never;

/** A display: a mime bundle (`mime type → value`) plus per-type metadata. */
export interface MimeBundle {
  data: JsonObject;
  metadata?: JsonObject;
}

/** An object that knows how to display itself (see {@link MIME_BUNDLE}). */
export interface Displayable {
  [MIME_BUNDLE](): MimeBundle;
}

/** True if `value` implements {@link Displayable}. */
export function isDisplayable(value: unknown): value is Displayable {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as Partial<Displayable>)[MIME_BUNDLE] === 'function'
  );
}

/** Options of {@link display}. */
export interface DisplayOptions {
  /** A display id; a later `display(..., {displayId, update: true})` replaces this output. */
  displayId?: string;
  /** Send `update_display_data` for `displayId` instead of a new output. */
  update?: boolean;
}

/**
 * Shows `value` in the output of the running cell: a widget (widget view plus text/plain and
 * text/html fallbacks), any {@link Displayable}, or a raw {@link MimeBundle}.
 */
export function display(value: Displayable | MimeBundle, options: DisplayOptions = {}): void {
  const bundle = isDisplayable(value) ? value[MIME_BUNDLE]() : value;
  if (!isPlainObject(bundle) || !isPlainObject(bundle.data)) {
    throw new TypeError(
      'tslab-widgets display(): pass a widget, an object with a [MIME_BUNDLE]() method, or ' +
        '{data: {"text/plain": ...}}.',
    );
  }
  if (options.update && options.displayId === undefined) {
    throw new TypeError('tslab-widgets display(): {update: true} needs a displayId.');
  }
  const content: JsonObject = { data: bundle.data, metadata: bundle.metadata ?? {} };
  if (options.displayId !== undefined) content['transient'] = { display_id: options.displayId };
  getRuntime().channel.publish(options.update ? 'update_display_data' : 'display_data', content);
}

/** Clears the running cell's output; with `wait`, only once new output arrives. */
export function clearOutput(wait = false): void {
  getRuntime().channel.publish('clear_output', { wait });
}

/**
 * Shows `text` in the front end's pager (an execute_reply `page` payload). Returns false when called
 * outside a running cell.
 */
export function page(text: string, html?: string): boolean {
  const data: JsonObject = { 'text/plain': text };
  if (html !== undefined) data['text/html'] = html;
  return getRuntime().channel.addPayload({ source: 'page', data, start: 0 });
}

/** Escapes text for use inside HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
