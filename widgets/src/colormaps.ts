import { COLORMAPS, isColormapName } from '@rlrp/core/colormaps';

/** A plotly colour scale: `[position in [0, 1], CSS colour]` pairs. */
export type Colorscale = [number, string][];

/** Stops sampled from a colormap's 256-entry table: enough for plotly to interpolate it faithfully. */
const STOPS = 17;

const hex = (value: number): string => value.toString(16).padStart(2, '0');

/**
 * The plotly colour scale of a colormap, sampled from @rlrp/core's own lookup table so that a widget
 * and a PNG heatmap of the same name show the same colours. (Imported through the subpath export
 * `@rlrp/core/colormaps` alone: the front-end bundles must not pull in tfjs.) Unknown names fall
 * back to `bwr`.
 */
export function colorscaleOf(name: string): Colorscale {
  const colormap = isColormapName(name) ? COLORMAPS[name] : COLORMAPS.bwr;
  const scale: Colorscale = [];
  for (let k = 0; k < STOPS; k++) {
    const i = Math.round((k * 255) / (STOPS - 1));
    const [r, g, b] = [colormap.lut[3 * i], colormap.lut[3 * i + 1], colormap.lut[3 * i + 2]];
    scale.push([k / (STOPS - 1), `#${hex(r)}${hex(g)}${hex(b)}`]);
  }
  return scale;
}
