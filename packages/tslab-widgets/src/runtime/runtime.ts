import { CommManager } from '../comm/comm-manager';
import { registerControlTarget } from '../widget/control';
import type { KernelChannel } from './channel';
import type { WidgetRegistry } from './widget-registry';
import { createWidgetRegistry } from './widget-registry';

/**
 * The process-wide state of the plugin: the kernel channel, the open comms and the live widgets.
 *
 * It lives in a `globalThis[Symbol.for(...)]` slot, so the kernel launcher and a notebook cell that
 * does `require('tslab-widgets')` share it even when they load two different copies of this package.
 * Its shape is versioned by {@link WidgetRuntime.version}.
 */
export interface WidgetRuntime {
  /** Shape version of this object; bumped on incompatible changes. */
  readonly version: 1;
  /** How messages reach the front end. */
  readonly channel: KernelChannel;
  /** Open comms and registered comm targets. */
  readonly comms: CommManager;
  /** Live widgets by model id (what `jupyter.widget.control` reports). */
  readonly widgets: WidgetRegistry;
  /** True when a real kernel server owns this runtime; false for a local stand-in. */
  readonly connected: boolean;
  /**
   * Set when the kernel runs inside a static HTML export (for example
   * `jupyter nbconvert --execute --to html`), where no front end renders widget views: widgets
   * then display their `text/html` fallback only. The value says which export, for messages.
   * Optional, so runtimes installed by older copies of this package still fit the slot.
   */
  readonly staticHtmlExport?: string;
}

/** How the kernel that installs a runtime was started (see {@link WidgetRuntime}). */
export interface RuntimeOptions {
  /** See {@link WidgetRuntime.staticHtmlExport}. */
  staticHtmlExport?: string;
}

/** The global slot key. `Symbol.for` makes it identical across package copies. */
export const RUNTIME_SLOT: unique symbol = Symbol.for('tslab-widgets.runtime') as never;

type RuntimeHolder = { [RUNTIME_SLOT]?: WidgetRuntime };

/** Creates a runtime around `channel` and puts it in the global slot, replacing any previous one. */
export function installRuntime(
  channel: KernelChannel,
  connected: boolean,
  options: RuntimeOptions = {},
): WidgetRuntime {
  const comms = new CommManager(channel);
  const runtime: WidgetRuntime = {
    version: 1,
    channel,
    comms,
    widgets: createWidgetRegistry(),
    connected,
    staticHtmlExport: options.staticHtmlExport,
  };
  registerControlTarget(runtime);
  (globalThis as RuntimeHolder)[RUNTIME_SLOT] = runtime;
  return runtime;
}

/** The installed runtime, or undefined when none is installed. */
export function findRuntime(): WidgetRuntime | undefined {
  const runtime = (globalThis as RuntimeHolder)[RUNTIME_SLOT];
  if (runtime !== undefined && runtime.version !== 1) {
    throw new Error(
      `tslab-widgets: the kernel runs an incompatible tslab-widgets runtime (shape version ` +
        `${String(runtime.version)}, this copy expects 1). Install the same tslab-widgets version ` +
        `in the notebook's folder as the one the kernelspec launches.`,
    );
  }
  return runtime;
}

/**
 * The runtime of this process. In a `tslab-widgets` kernel it is the kernel's; anywhere else (a plain
 * Node script, a unit test) a local runtime that sends nothing is installed on first use, so widgets
 * still hold state and fire change events.
 */
export function getRuntime(): WidgetRuntime {
  return findRuntime() ?? installRuntime(createSilentChannel(), false);
}

function createSilentChannel(): KernelChannel {
  return {
    publish: () => undefined,
    reportError: (error, where) => {
      console.error(`tslab-widgets: error in ${where}:`, error);
    },
    addPayload: () => false,
    log: () => undefined,
  };
}
