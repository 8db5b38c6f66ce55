import {
  COLORMAPS,
  COLORMAP_NAMES,
  HeatmapInputError,
  UnknownColormapError,
  colorOf,
  colorize,
  getColormap,
  parseCmsl,
} from '../src/heatmap/index';
import { RlrpError } from '../src/errors';

describe('built-in colormaps (zennit CMSL definitions)', () => {
  it('bwr is blue at 0, white at 0.5 and red at 1', () => {
    expect(colorOf(COLORMAPS.bwr, 0)).toEqual([0, 0, 255]);
    expect(colorOf(COLORMAPS.bwr, 0.5)).toEqual([255, 255, 255]);
    expect(colorOf(COLORMAPS.bwr, 1)).toEqual([255, 0, 0]);
    // Halfway between blue (index 0) and white (index 128): index 64.
    expect(colorOf(COLORMAPS.bwr, 0.25)).toEqual([128, 128, 255]);
  });

  it('seismic has a light gray centre and darker ends', () => {
    expect(colorOf(COLORMAPS.seismic, 0)).toEqual([0, 0, 0xd0]);
    expect(colorOf(COLORMAPS.seismic, 0.5)).toEqual([0xd0, 0xd0, 0xd0]);
    expect(colorOf(COLORMAPS.seismic, 1)).toEqual([0xd0, 0, 0]);
  });

  it('coldnhot runs cyan, blue, black (centre), red, yellow, white', () => {
    const lut = COLORMAPS.coldnhot.lut;
    const at = (i: number) => [lut[3 * i], lut[3 * i + 1], lut[3 * i + 2]];
    expect(at(0)).toEqual([0, 255, 255]);
    expect(at(64)).toEqual([0, 0, 255]);
    expect(at(128)).toEqual([0, 0, 0]);
    expect(at(255)).toEqual([255, 255, 255]);
    expect(COLORMAPS.coldnhot.signed).toBe(true);
  });

  it('unsigned maps: gray, wred, wblue, hot, cold', () => {
    expect(colorOf(COLORMAPS.gray, 0)).toEqual([0, 0, 0]);
    expect(colorOf(COLORMAPS.gray, 1)).toEqual([255, 255, 255]);
    expect(colorOf(COLORMAPS.gray, 0.5)).toEqual([128, 128, 128]);
    expect(colorOf(COLORMAPS.wred, 0)).toEqual([255, 255, 255]);
    expect(colorOf(COLORMAPS.wred, 1)).toEqual([255, 0, 0]);
    expect(colorOf(COLORMAPS.wblue, 1)).toEqual([0, 0, 255]);
    // hot: black, red, yellow, white evenly spaced at indices 0, 85, 170, 255.
    expect(colorOf(COLORMAPS.hot, 85 / 255)).toEqual([255, 0, 0]);
    expect(colorOf(COLORMAPS.hot, 170 / 255)).toEqual([255, 255, 0]);
    expect(colorOf(COLORMAPS.hot, 1)).toEqual([255, 255, 255]);
    expect(colorOf(COLORMAPS.cold, 1)).toEqual([0, 255, 255]);
    for (const name of ['gray', 'wred', 'wblue', 'hot', 'cold'] as const) {
      expect(COLORMAPS[name].signed).toBe(false);
    }
  });

  it('registers every documented name with a 256-colour table', () => {
    expect([...COLORMAP_NAMES].sort()).toEqual([
      'bwr',
      'cold',
      'coldnhot',
      'coleus',
      'coolio',
      'france',
      'gray',
      'hot',
      'seismic',
      'wblue',
      'wred',
    ]);
    for (const name of COLORMAP_NAMES) expect(COLORMAPS[name].lut).toHaveLength(768);
  });

  it('clamps out-of-range positions', () => {
    expect(colorOf(COLORMAPS.bwr, -3)).toEqual([0, 0, 255]);
    expect(colorOf(COLORMAPS.bwr, 7)).toEqual([255, 0, 0]);
  });
});

describe('CMSL parsing', () => {
  it('treats the documented spellings of blue–black–red as the same map', () => {
    const reference = parseCmsl('00f,80:000,f00').lut;
    expect(parseCmsl('0000ff,80:000,ff:f00').lut).toEqual(reference);
    expect(parseCmsl('00:00f,80:000000,ff:ff0000').lut).toEqual(reference);
  });

  it('keeps colours constant outside the outer nodes (a sign-only map)', () => {
    const sign = parseCmsl('79:00f,80:f00');
    expect(colorOf(sign, 0)).toEqual([0, 0, 255]);
    expect(colorOf(sign, 0x79 / 255)).toEqual([0, 0, 255]);
    expect(colorOf(sign, 0x80 / 255)).toEqual([255, 0, 0]);
    expect(colorOf(sign, 1)).toEqual([255, 0, 0]);
  });

  it('makes a hard step where an index repeats, and reads one-digit indices as doubled', () => {
    const step = parseCmsl('000,8:000,8:fff,fff'); // 8 means 0x88
    expect(colorOf(step, 0x87 / 255)).toEqual([0, 0, 0]);
    expect(colorOf(step, 0x88 / 255)).toEqual([255, 255, 255]);
  });

  it('rejects invalid source with a typed error that shows the syntax', () => {
    expect(() => parseCmsl('00f')).toThrow(HeatmapInputError);
    expect(() => parseCmsl('00f,zz:fff')).toThrow(/\[index:\]rgb/);
    expect(() => parseCmsl('80:00f,40:fff')).toThrow(/ascend/);
  });
});

describe('getColormap', () => {
  it('resolves names, CMSL and compiled maps', () => {
    expect(getColormap('bwr')).toBe(COLORMAPS.bwr);
    expect(getColormap(COLORMAPS.hot)).toBe(COLORMAPS.hot);
    expect(colorOf(getColormap('000,0f0'), 1)).toEqual([0, 255, 0]);
  });

  it('throws UnknownColormapError listing the known names', () => {
    let error: unknown;
    try {
      getColormap('viridis');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnknownColormapError);
    expect(error).toBeInstanceOf(RlrpError);
    expect((error as UnknownColormapError).known).toEqual(COLORMAP_NAMES);
    expect((error as Error).message).toMatch(/"viridis".*bwr.*seismic/);
  });

  it('colorize paints opaque pixels with the map', () => {
    const image = colorize({ values: [0, 0.5, 1], width: 3, height: 1 }, 'bwr');
    expect([...image.data]).toEqual([0, 0, 255, 255, 255, 255, 255, 255, 255, 0, 0, 255]);
  });
});
