/**
 * The built-in colormaps, with zennit's names and their CMSL definitions as documented in zennit's
 * "Visualizing Results" guide (`zennit.image.CMAPS`).
 */
import { parseCmsl, type Colormap } from './colormap';
import { UnknownColormapError } from './errors';
import { ownValue } from '../own-value';

/** Names of the built-in colormaps. */
export type ColormapName =
  | 'gray'
  | 'wred'
  | 'wblue'
  | 'hot'
  | 'cold'
  | 'coldnhot'
  | 'bwr'
  | 'france'
  | 'seismic'
  | 'coolio'
  | 'coleus';

/** CMSL source of every built-in colormap, and whether it is signed (diverging). */
const DEFINITIONS: Readonly<Record<ColormapName, { source: string; signed: boolean }>> = {
  // Unsigned: intensity grows from value 0 to 1.
  gray: { source: '000,fff', signed: false },
  wred: { source: 'fff,f00', signed: false },
  wblue: { source: 'fff,00f', signed: false },
  hot: { source: '000,f00,ff0,fff', signed: false },
  cold: { source: '000,00f,0ff', signed: false },
  // Signed: a neutral colour at the centre (value 0.5, index 80).
  coldnhot: { source: '0ff,00f,80:000,f00,ff0,fff', signed: true },
  bwr: { source: '00f,80:fff,f00', signed: true },
  france: { source: '0055a4,80:fff,ef4135', signed: true },
  seismic: { source: '0000d0,80:d0d0d0,d00000', signed: true },
  coolio: { source: '00d0d0,80:d0d0d0,d000d0', signed: true },
  coleus: { source: '00d000,80:d0d0d0,d000d0', signed: true },
};

/** The built-in colormaps by name (`bwr`, `seismic`, `coldnhot`, `hot`, `cold`, `gray`, …). */
export const COLORMAPS: Readonly<Record<ColormapName, Colormap>> = Object.freeze(
  Object.fromEntries(
    Object.entries(DEFINITIONS).map(([name, { source, signed }]) => [
      name,
      parseCmsl(source, name, signed),
    ]),
  ) as Record<ColormapName, Colormap>,
);

/** Names of the built-in colormaps, in registry order. */
export const COLORMAP_NAMES: readonly ColormapName[] = Object.freeze(
  Object.keys(DEFINITIONS) as ColormapName[],
);

/** Whether `name` is the name of a built-in colormap. */
export function isColormapName(name: string): name is ColormapName {
  return ownValue(DEFINITIONS, name) !== undefined;
}

/** A colormap given by built-in name, by CMSL source, or as a compiled {@link Colormap}. */
export type ColormapChoice = ColormapName | Colormap | (string & Record<never, never>);

/**
 * Resolves a colormap: a built-in name, CMSL source (anything containing a comma), or a
 * {@link Colormap} (returned as is).
 *
 * @throws {@link UnknownColormapError} for a name that is not built in (the message lists the
 *   built-in names), {@link HeatmapInputError} for invalid CMSL source.
 */
export function getColormap(choice: ColormapChoice): Colormap {
  if (typeof choice !== 'string') return choice;
  if (isColormapName(choice)) return COLORMAPS[choice];
  if (choice.includes(',')) return parseCmsl(choice);
  throw new UnknownColormapError(choice, COLORMAP_NAMES);
}
