/**
 * A model over saved widget state, with no kernel behind it: what the text/html fallback draws the
 * views over (as ipywidgets' html-manager does with the state it embeds). Its values never change
 * and messages to the kernel go nowhere; `comm_live` is false, so views disable what needs a kernel.
 */
import { STATIC_EXPORT_TRAIT } from '../src/schema';
import type { WidgetModelLike } from './model';

/** A read-only {@link WidgetModelLike} over `state`. */
export function readOnlyModel<S extends object>(
  state: S,
): WidgetModelLike<S> & { comm_live: false } {
  return {
    comm_live: false,
    get: (key) => state[key],
    on: () => undefined,
    off: () => undefined,
    send: () => undefined,
  };
}

/**
 * Whether a kernel answers this model's messages. @jupyter-widgets/base models say so in
 * `comm_live` (false in html-manager exports and for a {@link readOnlyModel}). anywidget's model
 * proxy has no such flag: there the exporter's {@link STATIC_EXPORT_TRAIT} says the page has no
 * kernel, and a model with neither sign is live.
 */
export function hasKernel(model: object): boolean {
  if ((model as { comm_live?: boolean }).comm_live === false) return false;
  const traits = model as Partial<WidgetModelLike<{ [STATIC_EXPORT_TRAIT]?: boolean }>>;
  return traits.get?.(STATIC_EXPORT_TRAIT) !== true;
}
