/**
 * Colormaps written in zennit's Color-Map Specification Language (CMSL), compiled to a 256-entry
 * lookup table.
 *
 * CMSL, as documented by zennit: comma-separated colour nodes `[index:]rgb`, each value in
 * hexadecimal with one digit (`f` = `ff`) or two digits; `index` runs from `00` (value 0) to `ff`
 * (value 1) and must ascend; nodes without an index are spaced evenly between their indexed
 * neighbours (the first defaults to `00`, the last to `ff`); colours between nodes are linearly
 * interpolated; the same index given twice makes a hard transition; before the first and after
 * the last node the colour stays constant.
 */
import { HeatmapInputError } from './errors';

/** An RGB triple, each channel 0–255. */
export type Rgb = readonly [number, number, number];

/** A compiled colormap: 256 colours for values 0…1. */
export interface Colormap {
  /** Name of the colormap (its CMSL source when it has no name). */
  readonly name: string;
  /** The CMSL source it was compiled from. */
  readonly source: string;
  /**
   * `true` for a diverging map with a neutral colour at the centre (value 0.5 ↔ relevance 0),
   * `false` for a map whose intensity grows monotonically (value 0 ↔ relevance 0).
   */
  readonly signed: boolean;
  /** 256 RGB colours, `lut[3 * i + channel]`; entry `i` is the colour of the value `i / 255`. */
  readonly lut: Uint8ClampedArray;
}

/** Number of entries of every colormap lookup table. */
export const COLORMAP_SIZE = 256;

interface ColorNode {
  index: number | undefined;
  rgb: Rgb;
}

/** Hex digits `x` (one digit means `xx`) → 0–255. */
function parseHexValue(text: string): number {
  const value = parseInt(text, 16);
  return text.length === 1 ? value * 17 : value;
}

function cmslError(source: string, problem: string): HeatmapInputError {
  return new HeatmapInputError(
    `Invalid CMSL colormap "${source}": ${problem}. ` +
      `Write comma-separated colour nodes [index:]rgb in hex, e.g. '00f,80:fff,f00'.`,
  );
}

function parseNode(source: string, text: string): ColorNode {
  const match = /^(?:([0-9a-fA-F]{1,2}):)?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.exec(text.trim());
  if (!match) throw cmslError(source, `node "${text}" is not [index:]rgb`);
  const hex = match[2];
  const width = hex.length / 3;
  const rgb: Rgb = [
    parseHexValue(hex.slice(0, width)),
    parseHexValue(hex.slice(width, 2 * width)),
    parseHexValue(hex.slice(2 * width, 3 * width)),
  ];
  return { index: match[1] === undefined ? undefined : parseHexValue(match[1]), rgb };
}

/** Fills in missing indices: ends default to 0 and 255, the rest are spread evenly. */
function placeNodes(source: string, nodes: ColorNode[]): { index: number; rgb: Rgb }[] {
  const indices = nodes.map((node) => node.index);
  if (indices[0] === undefined) indices[0] = 0;
  const last = indices.length - 1;
  if (indices[last] === undefined) indices[last] = COLORMAP_SIZE - 1;
  let anchor = 0;
  for (let k = 1; k <= last; k++) {
    const index = indices[k];
    if (index === undefined) continue;
    const start = indices[anchor] as number;
    if (index < start) throw cmslError(source, `indices must ascend (${index} after ${start})`);
    for (let gap = anchor + 1; gap < k; gap++) {
      indices[gap] = start + ((index - start) * (gap - anchor)) / (k - anchor);
    }
    anchor = k;
  }
  return nodes.map((node, k) => ({ index: indices[k] as number, rgb: node.rgb }));
}

/**
 * Compiles CMSL source into a {@link Colormap}.
 *
 * @param source - CMSL, e.g. `'00f,80:fff,f00'` (blue–white–red).
 * @param name - Name to report; defaults to the source.
 * @param signed - Whether the map is diverging; default: it has a node at the centre index `80`.
 * @throws {@link HeatmapInputError} when the source is not valid CMSL.
 */
export function parseCmsl(source: string, name = source, signed?: boolean): Colormap {
  const parts = source.split(',');
  if (parts.length < 2) throw cmslError(source, 'a colormap needs at least two colour nodes');
  const raw = parts.map((part) => parseNode(source, part));
  const nodes = placeNodes(source, raw);
  const lut = new Uint8ClampedArray(COLORMAP_SIZE * 3);
  for (let i = 0; i < COLORMAP_SIZE; i++) {
    lut.set(colorAt(nodes, i), 3 * i);
  }
  return {
    name,
    source,
    signed: signed ?? raw.some((node) => node.index === 0x80),
    lut,
  };
}

/** Colour at lookup index `i`: constant outside the nodes, linear between them, later node wins ties. */
function colorAt(nodes: readonly { index: number; rgb: Rgb }[], i: number): Rgb {
  if (i <= nodes[0].index) return nodes[0].rgb;
  const last = nodes[nodes.length - 1];
  if (i >= last.index) return last.rgb;
  // The last node whose index is ≤ i starts the segment, so a repeated index is a hard step.
  let k = 0;
  while (k + 1 < nodes.length && nodes[k + 1].index <= i) k++;
  const a = nodes[k];
  const b = nodes[k + 1];
  const t = (i - a.index) / (b.index - a.index);
  const channel = (c: 0 | 1 | 2): number => Math.round(a.rgb[c] + t * (b.rgb[c] - a.rgb[c]));
  return [channel(0), channel(1), channel(2)];
}

/**
 * Lookup index of a normalised value: `round(clamp(value, 0, 1) · 255)`, so 0.5 hits the centre
 * entry 128 (`80` in CMSL) exactly. NaN maps to the centre.
 */
export function colormapIndex(value: number): number {
  if (Number.isNaN(value)) return 128;
  return Math.round(Math.min(1, Math.max(0, value)) * (COLORMAP_SIZE - 1));
}

/** The colour of a normalised value in `[0, 1]` (clamped). */
export function colorOf(colormap: Colormap, value: number): Rgb {
  const i = 3 * colormapIndex(value);
  return [colormap.lut[i], colormap.lut[i + 1], colormap.lut[i + 2]];
}
