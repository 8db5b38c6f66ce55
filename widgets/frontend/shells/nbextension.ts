/**
 * Classic Jupyter Notebook 6.x extension with its own widget manager.
 *
 * Debian's Notebook 6.4 ships ipywidgets 6 (protocol 1), which cannot load @jupyter-widgets/base
 * 6 widgets, so this extension brings a ManagerBase (base-manager 1.x) that registers the
 * `jupyter.widget` comm target and renders the widget-view mime type itself. It knows the
 * standard @jupyter-widgets/base models and this package's classes. After a page reload it asks the
 * kernel for the live widgets' state (the `jupyter.widget.control` target) so saved outputs render
 * again; it saves the displayed widgets' state with the notebook (under
 * `metadata["rlrp-widgets"]`, see SAVED_STATE_METADATA_KEY), so a notebook reopened without its
 * kernel draws them from that state. The
 * build wraps the bundle in
 * `define(['base/js/namespace', 'base/js/events', 'notebook/js/outputarea', 'services/kernels/comm'], …)`.
 */
import * as base from '@jupyter-widgets/base';
import { ManagerBase, serialize_state, type IManagerState } from '@jupyter-widgets/base-manager';
import type { JSONObject } from '@lumino/coreutils';
import { SAVED_STATE_METADATA_KEY, WIDGET_MODULE } from '../../src/schema';
import { WIDGET_CLASSES } from './widget-classes';

const WIDGET_VIEW_MIME = 'application/vnd.jupyter.widget-view+json';
const COMM_TARGET = 'jupyter.widget';
const WIDGET_STATE_MIME = 'application/vnd.jupyter.widget-state+json';

/** The parts of Notebook 6's Comm the manager uses (it matches IClassicComm). */
type NotebookComm = base.IClassicComm;

/** The parts of Notebook 6's Kernel the manager uses. */
interface NotebookKernel {
  comm_manager: {
    register_target(name: string, handler: (comm: NotebookComm, msg: unknown) => unknown): void;
    register_comm(comm: NotebookComm): string;
    new_comm(
      target: string,
      data?: unknown,
      callbacks?: unknown,
      metadata?: unknown,
      commId?: string,
      buffers?: ArrayBuffer[] | ArrayBufferView[],
    ): NotebookComm;
  };
  is_connected(): boolean;
  comm_info(
    target: string,
    callback: (reply: { content: { comms?: Record<string, { target_name: string }> } }) => void,
  ): void;
}

/** Notebook 6's comm module (services/kernels/comm). */
export interface CommModule {
  Comm: new (target: string, commId: string) => NotebookComm;
}

/** A code cell's output area: its outputs as saved JSON, and re-rendering them. */
interface CellOutputArea {
  toJSON(): { data?: Record<string, unknown> }[];
  clear_output(wait?: boolean, ignoreClearQueue?: boolean): void;
  fromJSON(outputs: unknown[]): void;
}

/** The parts of the `Jupyter` global (base/js/namespace) used here. */
interface JupyterNamespace {
  notebook:
    | {
        kernel: NotebookKernel | null;
        _fully_loaded?: boolean;
        metadata: {
          widgets?: { [WIDGET_STATE_MIME]?: IManagerState };
          [SAVED_STATE_METADATA_KEY]?: IManagerState;
        };
        get_cells(): { output_area?: CellOutputArea }[];
      }
    | undefined;
}

/** Notebook 6's event bus (base/js/events, a jQuery object). */
interface NotebookEvents {
  on(event: string, handler: () => void): void;
}

/** Notebook 6's OutputArea module (notebook/js/outputarea). */
interface OutputAreaModule {
  OutputArea: {
    prototype: {
      register_mime_type(
        mime: string,
        append: (
          this: OutputAreaInstance,
          value: WidgetViewData,
          metadata: unknown,
          element: JQueryLike,
        ) => unknown,
        options: { safe: boolean; index: number },
      ): void;
    };
  };
}

/** The jQuery-wrapped output subarea Notebook passes around. */
interface JQueryLike {
  append(node: unknown): unknown;
  0: HTMLElement;
}

interface OutputAreaInstance {
  create_output_subarea(metadata: unknown, className: string, mime: string): JQueryLike;
}

interface WidgetViewData {
  model_id: string;
  version_major?: number;
}

/** Widget manager of one notebook page, bound to the current kernel. */
export class NotebookWidgetManager extends ManagerBase {
  /**
   * Settles once the state of the kernel's existing widgets was fetched (or that failed); outputs
   * wait for it, so a reloaded page does not look for models too early.
   */
  readonly restored: Promise<void>;
  private markRestored: () => void = () => undefined;
  /** Models with a view in the notebook: the ones whose state the notebook saves. */
  private readonly shown = new Map<string, base.WidgetModel>();

  constructor(
    private readonly kernel: NotebookKernel,
    private readonly comms: CommModule,
    /** The state saved with the notebook, for widgets the kernel does not hold. */
    private readonly saved: () => IManagerState | undefined,
  ) {
    super();
    this.restored = new Promise((resolve) => (this.markRestored = resolve));
    kernel.comm_manager.register_target(COMM_TARGET, (comm, msg) =>
      this.handle_comm_open(comm, msg as Parameters<ManagerBase['handle_comm_open']>[1]),
    );
  }

  protected async loadClass(
    className: string,
    moduleName: string,
    moduleVersion: string,
  ): Promise<typeof base.WidgetModel | typeof base.WidgetView> {
    const registry: Record<string, unknown> =
      moduleName === WIDGET_MODULE
        ? WIDGET_CLASSES
        : moduleName === '@jupyter-widgets/base'
          ? base
          : {};
    const found = registry[className];
    if (typeof found !== 'function') {
      throw new Error(
        `rlrp-widgets nbextension: class ${className} of module ${moduleName}@${moduleVersion} is not available ` +
          `(this extension provides ${WIDGET_MODULE} and @jupyter-widgets/base only).`,
      );
    }
    return found as typeof base.WidgetModel | typeof base.WidgetView;
  }

  protected async _create_comm(
    target: string,
    modelId?: string,
    data?: JSONObject,
    metadata?: JSONObject,
    buffers?: ArrayBuffer[] | ArrayBufferView[],
  ): Promise<base.IClassicComm> {
    if (data === undefined && modelId !== undefined) {
      // A comm the kernel already has (state restoration): register it without a comm_open.
      const comm = new this.comms.Comm(target, modelId);
      this.kernel.comm_manager.register_comm(comm);
      return comm;
    }
    return this.kernel.comm_manager.new_comm(target, data, {}, metadata, modelId, buffers);
  }

  /** Fetches the state of every widget the kernel holds (after a page reload). */
  async restore(): Promise<void> {
    try {
      await this._loadFromKernel();
    } catch (error) {
      console.warn('rlrp-widgets: could not restore widget state from the kernel', error);
    }
    this.markRestored();
  }

  protected _get_comm_info(): Promise<Record<string, { target_name: string }>> {
    return new Promise((resolve) =>
      this.kernel.comm_info(COMM_TARGET, (reply) => resolve(reply.content.comms ?? {})),
    );
  }

  /** The state of the displayed widgets, in the form notebooks save widget state. */
  savedState(): IManagerState {
    const models = [...this.shown.values()].filter((m) => this.has_model(m.model_id));
    return serialize_state(models, { drop_defaults: true });
  }

  /** Creates a model from the notebook's saved state (no kernel behind it: read-only). */
  private async restoreSaved(modelId: string): Promise<boolean> {
    const saved = this.saved();
    // Model ids come from the notebook file: only the saved state's own entries count.
    const entry = saved && Object.hasOwn(saved.state, modelId) ? saved.state[modelId] : undefined;
    if (!saved || !entry) return false;
    await this.set_state({ ...saved, state: { [modelId]: entry } });
    return this.has_model(modelId);
  }

  /** Renders the view of a widget-view output into `host`. */
  async renderInto(data: WidgetViewData, host: HTMLElement): Promise<void> {
    await this.restored;
    host.textContent = '';
    if (!this.has_model(data.model_id) && !(await this.restoreSaved(data.model_id))) {
      host.textContent = 'Widget state is not available (re-run the cell with a live kernel).';
      return;
    }
    const model = await this.get_model(data.model_id);
    this.shown.set(model.model_id, model);
    const view = await this.create_view(model);
    host.appendChild(view.el);
    view.trigger('displayed');
  }
}

let manager: NotebookWidgetManager | undefined;
let boundKernel: NotebookKernel | null = null;
let restoredKernel: NotebookKernel | null = null;
// Outputs drawn before a kernel object exists (a saved notebook opening) wait here.
const waiting: (() => void)[] = [];

function bindKernel(jupyter: JupyterNamespace, comms: CommModule): void {
  const kernel = jupyter.notebook?.kernel ?? null;
  if (!kernel || kernel === boundKernel) return;
  boundKernel = kernel;
  manager = new NotebookWidgetManager(kernel, comms, () => savedState(jupyter));
  waiting.splice(0).forEach((render) => render());
}

function restoreOnce(jupyter: JupyterNamespace, comms: CommModule): void {
  bindKernel(jupyter, comms);
  if (!manager || !boundKernel || boundKernel === restoredKernel || !boundKernel.is_connected())
    return;
  restoredKernel = boundKernel;
  void manager.restore();
}

/**
 * Notebook 6 draws a saved notebook's outputs while it is still loading nbextensions, so widget
 * outputs were drawn by a fallback; draw those output areas again now that the mime type is ours.
 */
function rerenderWidgetOutputs(jupyter: JupyterNamespace): void {
  for (const cell of jupyter.notebook?.get_cells() ?? []) {
    const area = cell.output_area;
    if (!area) continue;
    const outputs = area.toJSON();
    if (!outputs.some((o) => o.data && WIDGET_VIEW_MIME in o.data)) continue;
    area.clear_output(false, true);
    area.fromJSON(outputs);
  }
}

/**
 * The widget state saved with the notebook: this extension's own key, merged over the standard
 * `metadata.widgets` (what nbclient stores when it executes a notebook).
 */
function savedState(jupyter: JupyterNamespace): IManagerState | undefined {
  const metadata = jupyter.notebook?.metadata;
  const standard = metadata?.widgets?.[WIDGET_STATE_MIME];
  const own = metadata?.[SAVED_STATE_METADATA_KEY];
  if (!standard || !own) return own ?? standard;
  return { ...own, state: { ...standard.state, ...own.state } };
}

/** Model ids of the widget-view outputs in the notebook. */
function displayedModelIds(jupyter: JupyterNamespace): string[] {
  const ids: string[] = [];
  for (const cell of jupyter.notebook?.get_cells() ?? []) {
    for (const output of cell.output_area?.toJSON() ?? []) {
      const view = output.data?.[WIDGET_VIEW_MIME] as WidgetViewData | undefined;
      if (view?.model_id) ids.push(view.model_id);
    }
  }
  return ids;
}

function render(value: WidgetViewData, host: HTMLElement): void {
  if (!manager) {
    host.textContent = 'Waiting for the kernel…';
    waiting.push(() => render(value, host));
    return;
  }
  host.textContent = 'Waiting for the kernel…';
  manager.renderInto(value, host).catch((error: unknown) => {
    host.textContent = `Widget failed to render: ${String(error)}`;
    console.error(error);
  });
}

/** Called by Notebook 6 when the extension loads. */
export function load_ipython_extension(
  jupyter: JupyterNamespace,
  events: NotebookEvents,
  outputArea: OutputAreaModule,
  comms: CommModule,
): void {
  outputArea.OutputArea.prototype.register_mime_type(
    WIDGET_VIEW_MIME,
    function (
      this: OutputAreaInstance,
      value: WidgetViewData,
      metadata: unknown,
      element: JQueryLike,
    ) {
      const subarea = this.create_output_subarea(
        metadata,
        'output_widget_view rlrp-output',
        WIDGET_VIEW_MIME,
      );
      element.append(subarea);
      render(value, subarea[0]);
      return subarea;
    },
    { safe: true, index: 0 },
  );
  if (jupyter.notebook?._fully_loaded) rerenderWidgetOutputs(jupyter);
  else events.on('notebook_loaded.Notebook', () => rerenderWidgetOutputs(jupyter));
  restoreOnce(jupyter, comms);
  // Save the state of the widgets the notebook's outputs show, merged over what was saved before
  // (outputs not redrawn since the notebook was opened keep their saved state).
  events.on('before_save.Notebook', () => {
    const notebook = jupyter.notebook;
    if (!notebook || !manager) return;
    const current = manager.savedState();
    const merged = { ...savedState(jupyter)?.state, ...current.state };
    // Built from own entries only, so an id such as `__proto__` read from the file stays a key.
    const state: IManagerState['state'] = Object.fromEntries(
      displayedModelIds(jupyter)
        .filter((id) => Object.hasOwn(merged, id))
        .map((id) => [id, merged[id]]),
    );
    notebook.metadata[SAVED_STATE_METADATA_KEY] = { ...current, state };
  });
  // A kernel restart or change creates a new Kernel object: re-register the comm target on it and,
  // once it is ready, fetch the state of the widgets it already holds.
  events.on('kernel_created.Kernel', () => bindKernel(jupyter, comms));
  events.on('kernel_ready.Kernel', () => restoreOnce(jupyter, comms));
  events.on('notebook_loaded.Notebook', () => restoreOnce(jupyter, comms));
}
