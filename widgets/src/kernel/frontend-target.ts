/**
 * Which front-end module renders a widget: this package's own classes (classic Notebook extension,
 * html-manager AMD module) or anywidget's AnyModel with the view bundle in `_esm` (JupyterLab 4,
 * Notebook 7, VS Code, Colab with `anywidget` installed).
 */
import type { ModuleRef } from 'tslab-widgets';
import { ASSETS, assetPath, plotlyBundlePath, readAsset } from '../assets';
import { WidgetOptionError } from '../errors';
import {
  MODEL_NAMES,
  VIEW_NAMES,
  WIDGET_MODULE,
  WIDGET_MODULE_VERSION,
  type WidgetKind,
} from '../schema';

/** `rlrp`: this package's module; `anywidget`: anywidget's AnyModel + `_esm`. */
export type FrontendTarget = 'rlrp' | 'anywidget';

/** Version range asked of anywidget's front end; any installed anywidget serves an `_esm`. */
export const ANYWIDGET_VERSION_RANGE = '*';

/** Module classes and extra traits of a widget kind for a front-end target. */
export interface FrontendBinding {
  model: ModuleRef;
  view: ModuleRef;
  /** `{ _esm, _plotly }` for anywidget, empty otherwise. */
  extraState: AnywidgetTraits;
}

/**
 * Traits only anywidget widgets carry: the view module (`_esm`, ~15 KiB) and plotly.js's UMD
 * source (`_plotly`), which the module evaluates once per page.
 */
export interface AnywidgetTraits {
  _esm?: string;
  _plotly?: string;
}

/** The target from the option, else `RLRP_WIDGETS_FRONTEND`, else `rlrp`. */
export function resolveTarget(option: FrontendTarget | undefined): FrontendTarget {
  const chosen = option ?? process.env.RLRP_WIDGETS_FRONTEND ?? 'rlrp';
  if (chosen !== 'rlrp' && chosen !== 'anywidget') {
    throw new WidgetOptionError(
      'frontend',
      `"${chosen}" is not a front end; use "rlrp" or "anywidget".`,
    );
  }
  return chosen;
}

/** Module references (and `_esm`) of `kind` for `target`. */
export function frontendBinding(kind: WidgetKind, target: FrontendTarget): FrontendBinding {
  if (target === 'anywidget') {
    return {
      model: { module: 'anywidget', version: ANYWIDGET_VERSION_RANGE, name: 'AnyModel' },
      view: { module: 'anywidget', version: ANYWIDGET_VERSION_RANGE, name: 'AnyView' },
      extraState: {
        _esm: readAsset(assetPath(ASSETS.anywidgetEsm)),
        _plotly: readAsset(plotlyBundlePath()),
      },
    };
  }
  return {
    model: { module: WIDGET_MODULE, version: WIDGET_MODULE_VERSION, name: MODEL_NAMES[kind] },
    view: { module: WIDGET_MODULE, version: WIDGET_MODULE_VERSION, name: VIEW_NAMES[kind] },
    extraState: {},
  };
}
