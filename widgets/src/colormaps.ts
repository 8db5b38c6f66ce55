import type { ColormapName } from './schema';

/** A plotly colour scale: `[position in [0, 1], CSS colour]` pairs. */
export type Colorscale = [number, string][];

/**
 * Diverging colour scales centred on zero relevance (position 0.5); `coldnhot` follows the
 * map of the same name in zennit (cyan–blue–black–red–yellow).
 */
const SCALES: Readonly<Record<ColormapName, Colorscale>> = {
  bwr: [
    [0, '#0000ff'],
    [0.5, '#ffffff'],
    [1, '#ff0000'],
  ],
  seismic: [
    [0, '#00004c'],
    [0.25, '#0000ff'],
    [0.5, '#ffffff'],
    [0.75, '#ff0000'],
    [1, '#800000'],
  ],
  coldnhot: [
    [0, '#00ffff'],
    [0.25, '#0000ff'],
    [0.5, '#000000'],
    [0.75, '#ff0000'],
    [1, '#ffff00'],
  ],
  gray: [
    [0, '#000000'],
    [1, '#ffffff'],
  ],
};

/** The plotly colour scale of a colour map name (falls back to `bwr` for unknown names). */
export function colorscaleOf(name: string): Colorscale {
  return SCALES[name as ColormapName] ?? SCALES.bwr;
}
