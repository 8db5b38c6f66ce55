/** The explorer's pure figure builders (no DOM, no plotly): what the live view and the fallback draw. */
import {
  binnedEnvelope,
  channelOptions,
  denseFigure,
  massColours,
  ruleMenu,
  spatialFigure,
  targetOptions,
} from '../frontend/views/explorer-figures';
import { readOnlyModel, hasKernel } from '../frontend/read-only-model';
import { imageValues, toFloat32 } from '../frontend/payload';
import { quantiseToBytes } from '../src/quantise';
import { STATIC_EXPORT_TRAIT, type ImageState, type LayerState } from '../src/schema';

const classes = [
  { index: 3, label: 'three', probability: 0.6 },
  { index: 8, label: 'eight', probability: 0.3 },
  { index: 5, label: 'five', probability: 0.1 },
];

describe('explorer figures', () => {
  it('lists every class, most probable first, filtered by label or index, the target always', () => {
    expect(targetOptions(classes, 3).map((o) => o.value)).toEqual(['3', '8', '5']);
    expect(targetOptions(classes, 3)[1].label).toBe('eight — 30.0 %');
    expect(targetOptions(classes, 3, 'EIG').map((o) => o.value)).toEqual(['3', '8']);
    expect(targetOptions(classes, 3, '5').map((o) => o.value)).toEqual(['3', '5']);
    // A target outside the list (e.g. set from code) is still selectable.
    expect(targetOptions(classes, 9, 'zzz')).toEqual([{ value: '9', label: 'class 9' }]);
  });

  it('labels the current rule with its parameters, e.g. LRP-ε with its ε', () => {
    const rules = [
      { value: 'lrp0', label: 'LRP-0' },
      { value: 'epsilon', label: 'LRP-ε' },
    ];
    expect(ruleMenu(rules, 'epsilon', 'LRP-ε (ε = 0.000001)')).toEqual([
      { value: 'lrp0', label: 'LRP-0' },
      { value: 'epsilon', label: 'LRP-ε (ε = 0.000001)' },
    ]);
    expect(ruleMenu(rules, 'gamma', 'LRP-γ (γ = 0.25)').at(-1)).toEqual({
      value: 'gamma',
      label: 'LRP-γ (γ = 0.25)',
    });
  });

  it('offers the channel sum and every channel', () => {
    expect(channelOptions(3).map((o) => o.value)).toEqual(['sum', '0', '1', '2']);
  });

  it('draws up to 200 units as bars and wider layers as two filled step lines', () => {
    const narrow = denseFigure(new Float32Array([1, -2]), 'fc', ['a', 'b'], 'r');
    expect(narrow.traces).toHaveLength(1);
    expect(narrow.traces[0]).toMatchObject({ type: 'bar', x: ['a', 'b'], y: [1, -2] });
    const wide = denseFigure(new Float32Array(201).fill(-1), 'flatten', undefined, 'r');
    expect(wide.traces.map((t) => t.type)).toEqual(['scatter', 'scatter']);
    expect((wide.traces[1].y as number[]).every((v) => v === -1)).toBe(true);
    expect((wide.traces[0].y as number[]).every((v) => v === 0)).toBe(true);
    expect(wide.traces[0].x).toEqual(Array.from({ length: 201 }, (_, i) => i));
  });

  it("draws a layer of thousands of units over at most 1000 bins, keeping each bin's extremes", () => {
    // VGG16's Flatten: 25 088 units, 26 per bin. One spike per sign in bin 7, NaN in bin 8.
    const values = new Float32Array(25088).map((_, i) => ((i % 5) - 2) * 1e-3);
    values[7 * 26 + 3] = 5;
    values[7 * 26 + 20] = -4;
    values[8 * 26 + 1] = NaN;
    const figure = denseFigure(values, 'flatten', undefined, 'r');
    const [positive, negative] = figure.traces;
    const bins = Math.ceil(25088 / 26);
    expect(bins).toBeLessThanOrEqual(1000);
    expect(positive.y).toHaveLength(bins);
    expect(negative.y).toHaveLength(bins);
    expect([(positive.y as number[])[7], (negative.y as number[])[7]]).toEqual([5, -4]);
    expect((positive.y as number[])[8]).toBeCloseTo(2e-3, 9);
    expect((negative.y as number[])[8]).toBeCloseTo(-2e-3, 9);
    // The last bin is shorter: 25 088 = 964 · 26 + 24.
    expect((positive.customdata as number[][])[bins - 1]).toEqual([964 * 26, 25087]);
    expect(positive.x as number[]).toHaveLength(bins);
    expect(String(positive.hovertemplate)).toContain('neurons %{customdata[0]}–%{customdata[1]}');
    // Labels (an output layer) cannot name a bin: the axis numbers units.
    const labelled = denseFigure(
      values,
      'out',
      Array.from(values, (_, i) => `c${i}`),
      'r',
    );
    expect(labelled.layout).toMatchObject({ xaxis: { type: 'linear' } });
  });

  it('keeps 1000 labelled units on their labels, and bins from 1001 on', () => {
    const labels = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);
    const exact = denseFigure(new Float32Array(1000).fill(1), 'out', labels(1000), 'r');
    expect(exact.traces[0].x).toEqual(labels(1000));
    expect(exact.layout).toMatchObject({ xaxis: { type: 'category' } });
    const binned = denseFigure(new Float32Array(1001).fill(-1), 'out', labels(1001), 'r');
    expect(binned.traces[1].y).toHaveLength(501);
    expect((binned.traces[1].x as number[]).every((x) => typeof x === 'number')).toBe(true);
    expect(binned.traces[1].customdata).toEqual(binned.traces[0].customdata);
    expect(() => binnedEnvelope(new Float32Array(3), 0)).toThrow(RangeError);
  });

  it('bins values exactly: extremes per run of units, zeros where a sign is absent', () => {
    const envelope = binnedEnvelope(new Float32Array([1, -1, 3, 0, -2, NaN, 0]), 3);
    expect(envelope).toEqual({
      first: [0, 3, 6],
      last: [2, 5, 6],
      high: [3, 0, 0],
      low: [-1, -2, 0],
    });
  });

  it('draws a reduced map on a symmetric scale, alone or stretched over the input', () => {
    const input: ImageState = {
      shape: [4, 4, 1],
      data: quantiseToBytes(new Float32Array(16).fill(1), [0, 1]),
      range: [0, 1],
    };
    const layout = { kind: 'spatial' as const, height: 2, width: 2, channels: 8 };
    const values = new Float32Array([1, -3, 0, 2]);
    const alone = spatialFigure(values, layout, 'conv', input, { colormap: 'bwr' });
    expect(alone.traces).toHaveLength(1);
    expect(alone.traces[0]).toMatchObject({
      z: [
        [1, -3],
        [0, 2],
      ],
      zmin: -3,
      zmax: 3,
    });
    const over = spatialFigure(values, layout, 'conv', input, {
      colormap: 'bwr',
      overlayOpacity: 0.4,
    });
    expect(over.traces).toHaveLength(2);
    expect(over.traces[1]).toMatchObject({ opacity: 0.4, dx: 2, dy: 2, x0: 0.5, y0: 0.5 });
  });

  it('highlights the shown layer in the mass chart', () => {
    const layers = [{}, {}, {}] as LayerState[];
    expect(massColours(layers, 1)).toEqual(['#9ab', '#ff7f0e', '#9ab']);
  });
});

describe('read-only model over saved state', () => {
  it('gives the saved values, decodes base64 payloads and says it has no kernel', () => {
    const floats = new Float32Array([0.5, -2]);
    const model = readOnlyModel({
      data: Buffer.from(floats.buffer).toString('base64'),
      input: { shape: [1, 2], data: Buffer.from([0, 255]).toString('base64'), range: [-1, 1] },
    });
    expect(Array.from(toFloat32(model.get('data')))).toEqual([0.5, -2]);
    expect(Array.from(imageValues(model.get('input') as ImageState))).toEqual([-1, 1]);
    expect(hasKernel(model)).toBe(false);
    expect(hasKernel({})).toBe(true); // anywidget's models carry no comm_live: live
  });

  it('says an anywidget model proxy has a kernel unless the exporter marked its state static', () => {
    // anywidget's proxy: get/send/on/off over the real model, no comm_live.
    const proxy = (traits: Record<string, unknown>) => {
      const { comm_live: _hidden, ...proxied } = readOnlyModel(traits);
      return proxied;
    };
    expect(hasKernel(proxy({ kind: 'relevance-explorer' }))).toBe(true);
    expect(hasKernel(proxy({ kind: 'relevance-explorer', [STATIC_EXPORT_TRAIT]: true }))).toBe(
      false,
    );
  });
});
