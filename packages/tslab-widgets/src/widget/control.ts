import type { WireObject } from '../json';
import type { WidgetRuntime } from '../runtime/runtime';
import { removeBuffers } from './buffers';

/** Comm target front ends (JupyterLab, Notebook 7) use to fetch every widget's state at once. */
export const CONTROL_TARGET = 'jupyter.widget.control';

/**
 * Registers the `jupyter.widget.control` target: on `request_states` it answers `update_states`
 * with the full state of every live widget, binary values as buffers (paths start with the model
 * id and `state`).
 */
export function registerControlTarget(runtime: WidgetRuntime): void {
  runtime.comms.registerTarget(CONTROL_TARGET, (comm, open) => {
    const version = open.metadata['version'];
    if (typeof version === 'string' && version.split('.')[0] !== '1') {
      throw new Error(
        `jupyter.widget.control protocol ${version} is not supported; this kernel speaks 1.x`,
      );
    }
    comm.onMsg((message) => {
      const method = message.data['method'];
      if (method !== 'request_states') {
        throw new Error(
          `unknown jupyter.widget.control method ${JSON.stringify(method)}; expected request_states`,
        );
      }
      const states: WireObject = {};
      for (const widget of runtime.widgets.values()) {
        states[widget.modelId] = {
          model_name: widget.modelName,
          model_module: widget.modelModule,
          model_module_version: widget.modelModuleVersion,
          state: widget.fullState(),
        };
      }
      const split = removeBuffers(states);
      comm.send(
        { method: 'update_states', states: split.state, buffer_paths: split.bufferPaths },
        { buffers: split.buffers },
      );
    });
  });
}
