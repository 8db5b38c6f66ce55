// The application: JupyterLab's shell with the extension packages listed in package.json (bundled,
// as a JupyterLab build bundles its core), the anywidget front end registered with the widget
// manager, and the federated extensions loaded by bootstrap.js.
import 'rlrp-lab-style';
import { JupyterLab } from '@jupyterlab/application';
import * as applicationExtension from '@jupyterlab/application-extension';
import * as apputilsExtension from '@jupyterlab/apputils-extension';
import * as codemirrorExtension from '@jupyterlab/codemirror-extension';
import * as completerExtension from '@jupyterlab/completer-extension';
import * as docmanagerExtension from '@jupyterlab/docmanager-extension';
import * as filebrowserExtension from '@jupyterlab/filebrowser-extension';
import * as mainmenuExtension from '@jupyterlab/mainmenu-extension';
// Renders Markdown cells (without it JupyterLab 4 shows their source).
import * as markedparserExtension from '@jupyterlab/markedparser-extension';
import * as notebookExtension from '@jupyterlab/notebook-extension';
import * as rendermimeExtension from '@jupyterlab/rendermime-extension';
import * as servicesExtension from '@jupyterlab/services-extension';
import * as themeLightExtension from '@jupyterlab/theme-light-extension';
import * as translationExtension from '@jupyterlab/translation-extension';
import * as uiComponentsExtension from '@jupyterlab/ui-components-extension';
import * as jupyterlabManager from '@jupyter-widgets/jupyterlab-manager';
import { anywidgetPlugin } from './anywidget-plugin';

/* global window */

// The news/update pop-up covers the notebook. The others need extension packages this application
// leaves out (status bar, document search, table of contents, LSP, metadata form); unstarted, they
// would only log "No provider for …" at start-up.
const IGNORED_PLUGINS = [
  '@jupyterlab/apputils-extension:announcements',
  '@jupyterlab/apputils-extension:kernel-status',
  '@jupyterlab/apputils-extension:running-sessions-status',
  '@jupyterlab/notebook-extension:search',
  '@jupyterlab/notebook-extension:toc',
  '@jupyterlab/notebook-extension:language-server',
  '@jupyterlab/notebook-extension:update-raw-mimetype',
  '@jupyterlab/notebook-extension:kernel-status',
];

export async function startLab(federatedModules) {
  const bundled = [
    applicationExtension,
    apputilsExtension,
    codemirrorExtension,
    completerExtension,
    docmanagerExtension,
    filebrowserExtension,
    mainmenuExtension,
    markedparserExtension,
    notebookExtension,
    rendermimeExtension,
    servicesExtension,
    themeLightExtension,
    translationExtension,
    uiComponentsExtension,
    jupyterlabManager,
  ];
  const lab = new JupyterLab({});
  lab.registerPluginModules([...bundled, anywidgetPlugin, ...federatedModules]);
  await lab.start({ ignorePlugins: IGNORED_PLUGINS });
  await lab.restored;
  // For the browser tests: the running application and the plugins it activated.
  window.jupyterapp = lab;
}
