/**
 * Errors of @rlrp/widgets. They extend @rlrp/core's RlrpError so notebook code can catch every
 * error of the toolkit with one `instanceof` check; each message says how to fix the problem.
 */
import { RlrpError } from '@rlrp/core';

/** A built front-end asset (bundle, fallback runtime, plotly) is missing. */
export class WidgetAssetError extends RlrpError {
  constructor(
    /** Path that was looked for. */
    readonly assetPath: string,
  ) {
    super(
      `@rlrp/widgets: the front-end asset ${assetPath} is missing. ` +
        'Build the front ends with `npm run build -w @rlrp/widgets` (or `npm run build` at the repository root).',
    );
  }
}

/** An option passed to explore / compareRules / plotEvaluation is invalid. */
export class WidgetOptionError extends RlrpError {
  constructor(
    /** The option's name. */
    readonly option: string,
    /** What was wrong and how to fix it. */
    detail: string,
  ) {
    super(`@rlrp/widgets: invalid option "${option}": ${detail}`);
  }
}

/** The prebuilt JupyterLab extension (`labextension/prebuilt/`) was not built. */
export class LabextensionNotBuiltError extends RlrpError {
  constructor(
    /** The file that was looked for. */
    readonly assetPath: string,
  ) {
    super(
      `@rlrp/widgets: the prebuilt JupyterLab extension is missing (${assetPath}). ` +
        'Build it with `npm run build:labextension -w @rlrp/widgets`, then install it again.',
    );
  }
}
