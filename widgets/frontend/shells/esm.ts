/**
 * anywidget-compatible ES module: the kernel puts this bundle in the `_esm` trait of a widget
 * whose model is anywidget's `AnyModel`; anywidget (JupyterLab 4, Notebook 7, VS Code, Colab)
 * imports it and calls `render({ model, el })`. The view is chosen by the `kind` trait.
 */
import type { WidgetKind } from '../../src/schema';
import { renderByKind } from '../index';
import type { WidgetModelLike } from '../model';

export default {
  render({
    model,
    el,
  }: {
    model: WidgetModelLike<{ kind: WidgetKind }>;
    el: HTMLElement;
  }): () => void {
    return renderByKind({ model, el });
  },
};
