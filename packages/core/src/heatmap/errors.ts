/**
 * Typed errors of the heatmap module. Both extend {@link RlrpError}, so callers can catch every
 * @rlrp/core error with one `instanceof` check.
 */
import { RlrpError } from '../errors';

/** A colormap name that is neither built in nor valid CMSL source. */
export class UnknownColormapError extends RlrpError {
  constructor(
    /** The name that was asked for. */
    readonly colormap: string,
    /** The names of the built-in colormaps. */
    readonly known: readonly string[],
    detail?: string,
  ) {
    super(
      detail ??
        `Unknown colormap "${colormap}". Built-in colormaps: ${known.join(', ')}. ` +
          `Pass one of these names, a Colormap object, or CMSL source such as '00f,80:fff,f00'.`,
    );
  }
}

/** A relevance map, image or option the heatmap functions cannot use (wrong shape, bad value). */
export class HeatmapInputError extends RlrpError {}
