/**
 * Classic Jupyter Notebook 6.x extension with its own widget manager.
 *
 * Debian's Notebook 6.4 ships ipywidgets 6 (protocol 1), which cannot load @jupyter-widgets/base
 * 6 widgets, so this extension brings a ManagerBase (base-manager 1.x) that registers the
 * `jupyter.widget` comm target and renders the widget-view mime type itself. It knows the
 * standard @jupyter-widgets/base models and this package's classes. The build wraps the bundle in
 * `define(['base/js/namespace', 'base/js/events', 'notebook/js/outputarea'], …)`.
 */
import * as base from '@jupyter-widgets/base';
import { ManagerBase } from '@jupyter-widgets/base-manager';
import type { JSONObject } from '@lumino/coreutils';
import { WIDGET_MODULE } from '../../src/schema';
import { WIDGET_CLASSES } from './widget-classes';

const WIDGET_VIEW_MIME = 'application/vnd.jupyter.widget-view+json';
const COMM_TARGET = 'jupyter.widget';

/** The parts of Notebook 6's Comm the manager uses (it matches IClassicComm). */
type NotebookComm = base.IClassicComm;

/** The parts of Notebook 6's Kernel the manager uses. */
interface NotebookKernel {
  comm_manager: {
    register_target(name: string, handler: (comm: NotebookComm, msg: unknown) => unknown): void;
    new_comm(
      target: string,
      data?: unknown,
      callbacks?: unknown,
      metadata?: unknown,
      commId?: string,
      buffers?: ArrayBuffer[] | ArrayBufferView[],
    ): NotebookComm;
  };
  comm_info(
    target: string,
    callback: (reply: { content: { comms?: Record<string, { target_name: string }> } }) => void,
  ): void;
}

/** The parts of the `Jupyter` global (base/js/namespace) used here. */
interface JupyterNamespace {
  notebook: { kernel: NotebookKernel | null } | undefined;
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
  constructor(private readonly kernel: NotebookKernel) {
    super();
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
    return this.kernel.comm_manager.new_comm(target, data, {}, metadata, modelId, buffers);
  }

  protected _get_comm_info(): Promise<Record<string, { target_name: string }>> {
    return new Promise((resolve) =>
      this.kernel.comm_info(COMM_TARGET, (reply) => resolve(reply.content.comms ?? {})),
    );
  }

  /** Renders the view of a widget-view output into `host`. */
  async renderInto(data: WidgetViewData, host: HTMLElement): Promise<void> {
    if (!this.has_model(data.model_id)) {
      host.textContent = 'Widget state is not available (re-run the cell with a live kernel).';
      return;
    }
    const model = await this.get_model(data.model_id);
    const view = await this.create_view(model);
    host.appendChild(view.el);
    view.trigger('displayed');
  }
}

let manager: NotebookWidgetManager | undefined;
let boundKernel: NotebookKernel | null = null;

function bindKernel(jupyter: JupyterNamespace): void {
  const kernel = jupyter.notebook?.kernel ?? null;
  if (!kernel || kernel === boundKernel) return;
  boundKernel = kernel;
  manager = new NotebookWidgetManager(kernel);
}

/** Called by Notebook 6 when the extension loads. */
export function load_ipython_extension(
  jupyter: JupyterNamespace,
  events: NotebookEvents,
  outputArea: OutputAreaModule,
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
      const host = subarea[0];
      if (!manager) {
        host.textContent = 'No kernel: widget not rendered.';
      } else {
        manager.renderInto(value, host).catch((error: unknown) => {
          host.textContent = `Widget failed to render: ${String(error)}`;
          console.error(error);
        });
      }
      return subarea;
    },
    { safe: true, index: 0 },
  );
  bindKernel(jupyter);
  // A kernel restart or change creates a new Kernel object; re-register the comm target on it.
  events.on('kernel_created.Kernel', () => bindKernel(jupyter));
  events.on('kernel_ready.Kernel', () => bindKernel(jupyter));
  events.on('notebook_loaded.Notebook', () => bindKernel(jupyter));
}
