// anywidget's own front end (npm `anywidget`, AMD build) under the module name its kernels send,
// registered with the widget manager: the same plugin in the JupyterLab and the Notebook 7 page.
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';
import * as anywidget from 'anywidget';

/* global RLRP_ANYWIDGET_VERSION */

export const anywidgetPlugin = {
  id: 'rlrp-test-jupyterlab:anywidget',
  description: 'Registers the npm anywidget front end (AnyModel, AnyView) with the widget manager.',
  requires: [IJupyterWidgetRegistry],
  autoStart: true,
  activate: (_app, registry) => {
    registry.registerWidget({
      name: 'anywidget',
      version: RLRP_ANYWIDGET_VERSION,
      exports: anywidget,
    });
  },
};
