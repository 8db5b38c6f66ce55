import type { WireObject } from '../json';

/** What the `jupyter.widget.control` target needs to know about a live widget. */
export interface WidgetStateSource {
  /** The widget's model id (its comm id). */
  readonly modelId: string;
  /** `_model_name`, `_model_module` and `_model_module_version` of the widget. */
  readonly modelName: string;
  readonly modelModule: string;
  readonly modelModuleVersion: string;
  /** The widget's full state, binary values included (not yet split into buffers). */
  fullState(): WireObject;
}

/** Live widgets by model id. */
export type WidgetRegistry = Map<string, WidgetStateSource>;

export function createWidgetRegistry(): WidgetRegistry {
  return new Map();
}
