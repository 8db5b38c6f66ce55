// Loads the prebuilt (federated) extensions the server lists in the page config the way
// JupyterLab does: each `remoteEntry` script is a module-federation container that joins the
// application's share scope; its `./extension` module exports plugins. Then starts JupyterLab, or
// Notebook 7 on a Notebook 7 page.
import { PageConfig, URLExt } from '@jupyterlab/coreutils';

/* global window, document, __webpack_init_sharing__, __webpack_share_scopes__ */

function loadScript(url) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = url;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`could not load ${url}`));
    document.head.appendChild(script);
  });
}

async function loadFederatedExtension(extension) {
  const base = PageConfig.getOption('fullLabextensionsUrl');
  await loadScript(URLExt.join(base, extension.name, extension.load));
  const container = window._JUPYTERLAB[extension.name];
  await container.init(__webpack_share_scopes__.default);
  if (extension.style) (await container.get(extension.style))();
  if (!extension.extension) return [];
  return [(await container.get(extension.extension))()];
}

async function main() {
  window._JUPYTERLAB = window._JUPYTERLAB || {};
  await __webpack_init_sharing__('default');
  const federated = JSON.parse(PageConfig.getOption('federated_extensions') || '[]');
  const loaded = await Promise.allSettled(federated.map(loadFederatedExtension));
  const modules = [];
  loaded.forEach((result, index) => {
    if (result.status === 'fulfilled') modules.push(...result.value);
    else console.error(`federated extension ${federated[index].name} failed`, result.reason);
  });
  // Notebook 7's pages say which page they are (`notebookPage`); JupyterLab's page does not.
  if (PageConfig.getOption('notebookPage')) {
    const { startNotebook } = await import('./notebook');
    await startNotebook(modules);
  } else {
    const { startLab } = await import('./lab');
    await startLab(modules);
  }
}

main().catch((error) => console.error('JupyterLab failed to start', error));
