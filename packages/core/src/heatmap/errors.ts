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

/**
 * A size option (upscale factor, `minSize`, colour bar length, grid) that would make an image larger
 * than {@link MAX_HEATMAP_PIXELS}: an error naming the limit instead of a bare `RangeError` from the
 * typed-array allocation, or an allocation that takes the process down.
 */
export class HeatmapSizeError extends HeatmapInputError {
  constructor(
    /** What would have been made, e.g. `the upscaled heatmap`. */
    readonly what: string,
    readonly width: number,
    readonly height: number,
    /** The pixel limit. */
    readonly limit: number,
    /** How to stay within the limit, e.g. the largest factor that fits. */
    hint: string,
  ) {
    super(
      `${what[0].toUpperCase()}${what.slice(1)} would be ${width}×${height} = ` +
        `${(width * height).toLocaleString('en-US')} pixels; the limit is ` +
        `${limit.toLocaleString('en-US')} pixels (${Math.sqrt(limit)}×${Math.sqrt(limit)}). ${hint}`,
    );
  }
}
