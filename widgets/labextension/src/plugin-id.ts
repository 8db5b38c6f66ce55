/** Plugin id, as JupyterLab lists it (`jupyter labextension list`, `disabledExtensions`). */
export const PLUGIN_ID = '@rlrp/jupyterlab-widgets:plugin';
