/**
 * JupyterLab 4 / Notebook 7 plugin of @rlrp/widgets: registers the three widgets (model and view
 * classes by the names the kernel puts in `_model_name` / `_view_name`) with the widget manager of
 * `@jupyter-widgets/jupyterlab-manager`, the one ipywidgets users already have in Lab. The classes
 * extend the manager's own `@jupyter-widgets/base` (a shared singleton, not bundled here).
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';
import { WIDGET_CLASSES, version } from '../../frontend/shells/widget-classes';
import { WIDGET_MODULE } from '../../src/schema';
import { PLUGIN_ID } from './plugin-id';

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Live relevance explorer widgets of @rlrp/widgets for the tslab-widgets kernel.',
  requires: [IJupyterWidgetRegistry],
  autoStart: true,
  activate: (_app, registry: IJupyterWidgetRegistry) => {
    registry.registerWidget({ name: WIDGET_MODULE, version, exports: WIDGET_CLASSES });
  },
};

export default plugin;
