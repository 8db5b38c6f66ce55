// The Notebook 7 application: Notebook 7's shell (NotebookApp) with the plugins Notebook 7's own
// application loads on its `/` and `/notebooks` pages (the per-page lists in @jupyter-notebook/app's
// package.json), restricted to the extension packages this build bundles, plus the widget manager,
// the anywidget front end and the federated extensions loaded by bootstrap.js. Served at
// /notebooks/<path>; Notebook 7's router opens that document itself (`ref: '_noref'`).
import 'rlrp-lab-style';
import { NotebookApp } from '@jupyter-notebook/application';
import * as notebookApplicationExtension from '@jupyter-notebook/application-extension';
import * as notebookDocmanagerExtension from '@jupyter-notebook/docmanager-extension';
import * as notebookNotebookExtension from '@jupyter-notebook/notebook-extension';
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

/**
 * The plugins of an extension module (ES default export or CommonJS); with `names`, only the
 * plugins `<package>:<name>`, and every one of them must exist (a renamed plugin fails the page's
 * start instead of silently leaving Notebook 7 without it).
 */
function pluginsOf(extensionModule, names) {
  const exported = extensionModule.default ?? extensionModule;
  const plugins = Array.isArray(exported) ? exported : [exported];
  if (!names) return plugins;
  const packageName = plugins[0].id.split(':')[0];
  return names.map((name) => {
    const plugin = plugins.find((candidate) => candidate.id === `${packageName}:${name}`);
    if (!plugin) throw new Error(`${packageName} has no plugin '${name}'`);
    return plugin;
  });
}

// Notebook 7 replaces JupyterLab's shell plugins (layout, opener, tree resolver, status, dirty,
// sidebars…) with its own, so of the JupyterLab packages only these plugins are Notebook 7's
// (Notebook 7's own list, on its main branch, also has notebook-extension:page-handler, which
// JupyterLab 4.6.4 lacks).
const NOTEBOOK_PLUGINS = [
  ...pluginsOf(notebookApplicationExtension),
  ...pluginsOf(notebookDocmanagerExtension),
  ...pluginsOf(notebookNotebookExtension),
  ...pluginsOf(applicationExtension, ['context-menu', 'faviconbusy', 'router', 'top-bar']),
  ...pluginsOf(apputilsExtension, [
    'kernels-settings',
    'palette',
    'notification',
    'sanitizer',
    'sessionDialogs',
    'settings',
    'state',
    'themes',
    'themes-palette-menu',
    'toolbar-registry',
    'utilityCommands',
  ]),
  ...pluginsOf(codemirrorExtension),
  ...pluginsOf(completerExtension, [
    'base-service',
    'inline-completer',
    'inline-completer-factory',
    'inline-history',
    'manager',
  ]),
  ...pluginsOf(docmanagerExtension, ['plugin', 'download', 'contexts', 'manager']),
  ...pluginsOf(filebrowserExtension, ['factory', 'default-file-browser']),
  ...pluginsOf(mainmenuExtension, ['plugin']),
  ...pluginsOf(markedparserExtension),
  ...pluginsOf(notebookExtension, [
    // on every page
    'cell-executor',
    'export',
    'factory',
    'tracker',
    'widget-factory',
    // on the /notebooks page
    'active-cell-tool',
    'completer',
    'copy-output',
    'tools',
  ]),
  ...pluginsOf(rendermimeExtension),
  ...pluginsOf(servicesExtension),
  ...pluginsOf(themeLightExtension),
  ...pluginsOf(translationExtension),
  ...pluginsOf(uiComponentsExtension),
  ...pluginsOf(jupyterlabManager),
];

export async function startNotebook(federatedModules) {
  const app = new NotebookApp({});
  app.registerPlugins([...NOTEBOOK_PLUGINS, anywidgetPlugin]);
  app.registerPluginModules(federatedModules);
  await app.start();
  await app.restored;
  // For the browser tests: the running application and the plugins it activated.
  window.jupyterapp = app;
}
