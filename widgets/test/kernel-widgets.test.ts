/**
 * Kernel side of the widgets on the shipped MNIST CNN and the real engine, with tslab-widgets'
 * local runtime standing in for the kernel's socket (it records what would be sent).
 */
import * as tf from '@tensorflow/tfjs';
import { compareMethods, ExplanationSession, prepare, RlrpError } from '@rlrp/core';
import type { JsonObject, LocalRuntime } from 'tslab-widgets';
import {
  channelValues,
  compareRules,
  explore,
  plotEvaluation,
  traceLayers,
  traceLayersFrom,
  WidgetOptionError,
  type RelevanceExplorer,
} from '@rlrp/widgets';
import { digitLike, useMnistWidgetFixture } from './support/mnist-widget-fixture';

/** Delivers a custom message from the front end to the widget `modelId`. */
function fromFrontend(local: LocalRuntime, modelId: string, content: JsonObject) {
  return local.deliver('comm_msg', { comm_id: modelId, data: { method: 'custom', content } });
}

/** The front end asks for a trace; resolves once the widget answered. */
async function explainFrom(
  local: LocalRuntime,
  widget: RelevanceExplorer,
  rule: string,
  target: number,
  requestId: number,
): Promise<void> {
  await fromFrontend(local, widget.modelId, {
    type: 'explain',
    rule,
    target,
    request_id: requestId,
  });
  await widget.settled();
}

/**
 * The front end asks for one channel of one layer of trace `generation`; the widget's replies
 * (custom messages, not state updates).
 */
async function askChannel(
  local: LocalRuntime,
  widget: RelevanceExplorer,
  request: { layer: number; channel: number; generation: number },
) {
  local.sent.length = 0;
  await fromFrontend(local, widget.modelId, { type: 'channel', ...request });
  return local.sent.filter(
    (m) => m.msgType === 'comm_msg' && (m.content.data as JsonObject).method === 'custom',
  );
}

function commOpens(local: LocalRuntime) {
  return local.sent.filter((m) => m.msgType === 'comm_open');
}

describe('kernel-side widgets on the MNIST CNN', () => {
  const fixture = useMnistWidgetFixture();

  it('explore: opens a widget whose reduced trace travels as binary buffers, displays it, reruns only the backward pass on request', async () => {
    const input = digitLike();
    const baseline = tf.memory().numTensors;
    const widget = explore(fixture.model, input, { fallbackPlotly: { src: '/plotly.min.js' } });

    const [open] = commOpens(fixture.local);
    const data = open.content.data as {
      state: Record<string, unknown>;
      buffer_paths: (string | number)[][];
    };
    expect(data.state._model_module).toBe('@rlrp/widgets');
    expect(data.state._view_name).toBe('RelevanceExplorerView');
    const layers = data.state.layers as { name: string; class_name: string; shape: number[] }[];
    expect(layers.map((l) => l.class_name)).toEqual(
      [
        'Dense',
        'Dense',
        'Flatten',
        'MaxPooling2D',
        'Conv2D',
        'MaxPooling2D',
        'Conv2D',
        'InputLayer',
      ].slice(0, layers.length),
    );
    expect(layers[layers.length - 1].shape).toEqual([28, 28, 1]);
    // One Float32 buffer per layer plus the 8-bit input picture; no relevance as JSON numbers.
    expect(data.buffer_paths).toContainEqual(['layers', 0, 'data']);
    expect(data.buffer_paths).toContainEqual(['input', 'data']);
    expect(open.buffers.length).toBe(layers.length + 1);
    const bufferOf = (path: (string | number)[]): Uint8Array =>
      open.buffers[data.buffer_paths.findIndex((p) => p.join('/') === path.join('/'))];
    expect(bufferOf(['layers', layers.length - 1, 'data']).byteLength).toBe(28 * 28 * 4);
    expect(bufferOf(['input', 'data']).byteLength).toBe(28 * 28);
    // Spatial layers travel as their channel sums: H·W values, not H·W·C.
    const conv = layers.findIndex((l) => l.class_name === 'Conv2D');
    const [h, w, c] = layers[conv].shape;
    expect(c).toBeGreaterThan(1);
    expect(bufferOf(['layers', conv, 'data']).byteLength).toBe(h * w * 4);
    const sent = open.buffers.reduce((total, b) => total + b.byteLength, 0);
    expect(sent).toBeLessThan(40_000);
    // Every class is offered, most probable first.
    const classes = data.state.classes as { index: number; probability: number }[];
    expect(classes).toHaveLength(10);
    for (let k = 1; k < classes.length; k++)
      expect(classes[k - 1].probability).toBeGreaterThanOrEqual(classes[k].probability);

    const displayed = fixture.local.sent.find((m) => m.msgType === 'display_data');
    const bundle = displayed?.content.data as Record<string, unknown>;
    expect(bundle['application/vnd.jupyter.widget-view+json']).toEqual({
      model_id: widget.modelId,
      version_major: 2,
      version_minor: 0,
    });
    expect(String(bundle['text/html'])).toContain('rlrpFallback.render');
    expect(String(bundle['text/html'])).toContain('<img class="rlrp-snapshot"');
    expect(String(bundle['text/plain'])).toContain('RelevanceExplorer');

    // The front end asks for one channel of a convolution: the kept trace's values, read on demand.
    const [reply] = await askChannel(fixture.local, widget, {
      layer: conv,
      channel: 1,
      generation: 1,
    });
    expect(reply.content.data).toEqual({
      method: 'custom',
      content: { type: 'channel', layer: conv, channel: 1, generation: 1 },
    });
    const channel = new Float32Array(reply.buffers[0].slice().buffer);
    expect(channel).toHaveLength(h * w);
    // The same values an independent session gives for that channel; the sent map is their sum.
    const session = prepare(fixture.model, input);
    const reference = session.explain({
      rule: 'rlrp',
      target: widget.get('target'),
      trace: true,
    });
    const full = (reference.trace ?? [])[conv].relevance.dataSync();
    for (let p = 0; p < h * w; p += 17) expect(channel[p]).toBeCloseTo(full[p * c + 1], 5);
    // Each layer's mass is the one the trace reports (core's massPerSample), bit for bit.
    expect(widget.get('layers').map((layer) => layer.mass)).toEqual(
      (reference.trace ?? []).map((layer) => layer.mass[0]),
    );
    const summed = widget.get('layers')[conv].data;
    for (let p = 0; p < h * w; p += 17) {
      let total = 0;
      for (let k = 0; k < c; k++) total += full[p * c + k];
      expect(summed[p]).toBeCloseTo(total, 4);
    }
    reference.dispose();
    session.dispose();

    // The front end asks for another rule and target; the kernel says busy before it computes.
    fixture.local.sent.length = 0;
    const before = widget.get('layers')[layers.length - 1].data.slice();
    const other = classes[1].index;
    await fromFrontend(fixture.local, widget.modelId, {
      type: 'explain',
      rule: 'epsilon',
      target: other,
      request_id: 7,
    });
    const busyUpdate = fixture.local.sent.find((m) => m.msgType === 'comm_msg')?.content.data as {
      state: Record<string, unknown>;
    };
    expect(busyUpdate.state).toEqual({ busy: true });
    expect(widget.get('generation')).toBe(1);
    await widget.settled();
    const updates = fixture.local.sent.filter((m) => m.msgType === 'comm_msg');
    const last = updates[updates.length - 1].content.data as { state: Record<string, unknown> };
    expect(last.state.rule).toBe('epsilon');
    expect(last.state.target).toBe(other);
    expect(last.state.request_id).toBe(7);
    expect(last.state.generation).toBe(2);
    expect(last.state.busy).toBe(false);
    expect(updates[updates.length - 1].buffers.length).toBe(layers.length);
    const after = widget.get('layers')[layers.length - 1].data;
    expect(after).not.toEqual(before);

    // A second click during a computation supersedes the first: only the newest is computed.
    for (const [rule, id] of [
      ['lrp0', 20],
      ['gamma', 21],
    ] as const) {
      await fromFrontend(fixture.local, widget.modelId, {
        type: 'explain',
        rule,
        target: 0,
        request_id: id,
      });
    }
    await widget.settled();
    expect(widget.get('generation')).toBe(3);
    expect(widget.get('rule')).toBe('gamma');
    expect(widget.get('request_id')).toBe(21);

    // An unknown rule becomes the widget's error, not a dead kernel.
    await explainFrom(fixture.local, widget, 'nope', 0, 8);
    expect(widget.get('error')).toMatch(/Unknown rule "nope"/);
    expect(widget.get('busy')).toBe(false);
    // The shown trace was released for the failed computation and is computed again for a
    // channel request: its channels are still answered, with the shown rule's values.
    expect(widget.get('generation')).toBe(3);
    const [restored] = await askChannel(fixture.local, widget, {
      layer: conv,
      channel: 2,
      generation: 3,
    });
    const restoredChannel = new Float32Array(restored.buffers[0].slice().buffer);
    const gammaSession = prepare(fixture.model, input);
    const gamma = gammaSession.explain({ rule: 'gamma', target: 0, trace: true });
    const gammaFull = (gamma.trace ?? [])[conv].relevance.dataSync();
    expect(restoredChannel).toHaveLength(h * w);
    for (let p = 0; p < h * w; p += 17) expect(restoredChannel[p]).toBe(gammaFull[p * c + 2]);
    gamma.dispose();
    gammaSession.dispose();

    // A malformed request is reported and does not stop later requests from being served.
    const errorsBefore = fixture.local.errors.length;
    await fromFrontend(fixture.local, widget.modelId, { type: 'bogus' });
    expect(fixture.local.errors.length).toBe(errorsBefore + 1);
    await explainFrom(fixture.local, widget, 'lrp0', 0, 9);
    expect(widget.get('rule')).toBe('lrp0');
    expect(widget.get('request_id')).toBe(9);

    widget.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    input.dispose();
  });

  it('compareRules: one channel-summed map per rule, session released', () => {
    const batch = digitLike();
    const input = batch.squeeze([0]);
    const baseline = tf.memory().numTensors;
    const widget = compareRules(fixture.model, input, ['rlrp', 'lrp0', 'EpsilonPlus'], {
      fallbackPlotly: { src: '/plotly.min.js' },
    });
    const maps = widget.get('maps');
    expect(maps.map((m) => m.label)).toEqual(['R-LRP', 'LRP-0', 'EpsilonPlus']);
    expect(maps.every((m) => m.shape[0] === 28 && m.shape[1] === 28 && m.data.length === 784)).toBe(
      true,
    );
    expect(tf.memory().numTensors).toBe(baseline);
    widget.close();
    input.dispose();
    batch.dispose();
  });

  it('plotEvaluation: panels from explicit series; bad input gets a typed error', () => {
    const widget = plotEvaluation(
      [
        {
          id: 'deletion',
          title: 'deletion',
          x_label: 'fraction removed',
          y_label: 'score',
          series: [{ method: 'rlrp', x: [0, 0.5, 1], y: [1, 0.4, 0.1], auc: 0.45 }],
        },
      ],
      { fallbackPlotly: { src: '/plotly.min.js' } },
    );
    expect(widget.get('panels')[0].series[0].method).toBe('rlrp');
    expect(() => plotEvaluation({} as never)).toThrow(RlrpError);
    widget.close();
  });

  it('plotEvaluation: keep-top-k, deletion and insertion panels from a real compareMethods result', async () => {
    // Four stroke images, two methods, coarse curves: enough to check the adapter end to end.
    const images = tf.tidy(() =>
      tf.concat([
        digitLike(),
        digitLike().transpose([0, 2, 1, 3]),
        digitLike().reverse(1),
        digitLike().reverse(2),
      ]),
    ) as tf.Tensor4D;
    const baseline = tf.memory().numTensors;
    const result = await compareMethods({
      model: fixture.model,
      images,
      labels: [0, 1, 2, 3],
      methods: [
        { name: 'R-LRP', rule: 'rlrp' },
        { name: 'LRP-ε', rule: 'epsilon' },
      ],
      percents: [10, 50, 100],
      steps: 4,
    });
    images.dispose();
    expect(tf.memory().numTensors).toBe(baseline - 1);
    const widget = plotEvaluation(result, { fallbackPlotly: { src: '/plotly.min.js' } });
    const panels = widget.get('panels');
    expect(panels.map((p) => p.id)).toEqual(['keep-top-k', 'deletion', 'insertion']);
    expect(panels[0].series.map((s) => s.method)).toEqual(['R-LRP', 'LRP-ε', 'random']);
    expect(panels[0].series[0].x).toEqual([10, 50, 100]);
    expect(panels[1].series[0].x).toHaveLength(5);
    expect(panels[1].series.every((s) => typeof s.auc === 'number')).toBe(true);
    const html = fixture.local.sent.find((m) => m.msgType === 'display_data')?.content
      .data as Record<string, string>;
    expect(html['text/html']).toContain('rlrpFallback.render');
    expect(html['text/html']).toContain('<td style="padding:2px 8px;text-align:left">R-LRP</td>');
    widget.close();
  });

  it('explore: a rule or class change reads the device once, for every rule', async () => {
    const input = digitLike();
    const baseline = tf.memory().numTensors;
    const widget = explore(fixture.model, input, { fallbackPlotly: { src: '/plotly.min.js' } });
    const rules = ['rlrp', 'epsilon', 'EpsilonPlus', 'EpsilonPlusFlat', 'gamma'];
    const reads = jest.spyOn(tf.backend(), 'readSync');
    try {
      // A z⁺ rule on wasm's own kernels reads the input signs on its first click (they are then
      // known; the native kernels give them with the forward pass), and γ's first click for a
      // class with a negative logit finds relevance at z < 0 and reruns its pass. Every later
      // click is counted.
      for (const [i, rule] of rules.entries()) {
        for (const target of [1, 2]) await explainFrom(fixture.local, widget, rule, target, i);
      }
      for (const [i, rule] of rules.entries()) {
        for (const target of [1, 2]) {
          reads.mockClear();
          await explainFrom(fixture.local, widget, rule, target, 100 + 2 * i + target);
          expect(widget.get('error')).toBe('');
          expect([rule, target, reads.mock.calls.length]).toEqual([rule, target, 1]);
        }
      }
    } finally {
      reads.mockRestore();
    }
    widget.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    input.dispose();
  });

  it('reads the whole reduced trace with one device read', () => {
    const input = digitLike();
    const session = prepare(fixture.model, input);
    const explanation = session.explain({ rule: 'rlrp', target: 0, trace: true });
    const baseline = tf.memory().numTensors;
    const reads = jest.spyOn(tf.Tensor.prototype, 'dataSync');
    let layers: ReturnType<typeof traceLayers> = [];
    try {
      layers = traceLayers(explanation.trace ?? []);
      expect(reads).toHaveBeenCalledTimes(1);
      expect(layers.length).toBe((explanation.trace ?? []).length);
    } finally {
      reads.mockRestore();
    }
    // Mass and sum came with that read, equal to the trace's own (read by core when asked).
    (explanation.trace ?? []).forEach((layer, i) => {
      expect(layers[i].mass).toBeCloseTo(layer.mass[0], 4);
      expect(layers[i].sum).toBeCloseTo(layer.sum[0], 4);
      expect(layers[i].vanished).toBe(layer.vanished[0]);
    });
    expect(tf.memory().numTensors).toBe(baseline);
    explanation.dispose();
    session.dispose();
    input.dispose();
  });

  it('reads any sample of a batch, spatial and dense layers, as plain sums would', () => {
    // A batch of three: sample 1 takes the slice path (a batch of one is read in place).
    const spatial = tf.randomNormal([3, 4, 5, 6], 0, 1, 'float32', 11);
    const dense = tf.randomNormal([3, 7], 0, 1, 'float32', 12);
    const trace = [
      { name: 'd', className: 'Dense', outputShape: [7], relevance: dense },
      { name: 'c', className: 'Conv2D', outputShape: [4, 5, 6], relevance: spatial },
    ] as unknown as Parameters<typeof traceLayers>[0];
    const baseline = tf.memory().numTensors;
    const [denseLayer, spatialLayer] = traceLayers(trace, 1);
    const denseRow = (dense.arraySync() as number[][])[1];
    const image = (spatial.arraySync() as number[][][][])[1];
    expect(Array.from(denseLayer.data)).toEqual(denseRow.map((v) => Math.fround(v)));
    expect(denseLayer.mass).toBeCloseTo(
      denseRow.reduce((a, v) => a + Math.abs(v), 0),
      4,
    );
    const channelSums = image.flatMap((row) => row.map((cell) => cell.reduce((a, v) => a + v, 0)));
    Array.from(spatialLayer.data).forEach((v, i) => expect(v).toBeCloseTo(channelSums[i], 4));
    expect(spatialLayer.sum).toBeCloseTo(
      channelSums.reduce((a, v) => a + v, 0),
      3,
    );
    const channel = channelValues(spatial, 4, 2);
    const expected = (spatial.arraySync() as number[][][][])[2].flatMap((row) =>
      row.map((cell) => cell[4]),
    );
    expect(Array.from(channel)).toEqual(expected.map((v) => Math.fround(v)));
    // Values read of another trace's drawnTrace: a typed error naming the mismatch.
    expect(() => traceLayersFrom(trace, new Float32Array(5))).toThrow(WidgetOptionError);
    expect(tf.memory().numTensors).toBe(baseline);
    spatial.dispose();
    dense.dispose();
  });

  it('explore: a click that fails leaves nothing behind; when the shown trace cannot be computed again either, the error says so', async () => {
    const input = digitLike();
    const baseline = tf.memory().numTensors;
    const widget = explore(fixture.model, input, { display: false });
    const conv = widget.get('layers').findIndex((layer) => layer.class_name === 'Conv2D');
    const firstChannel = (generation: number) =>
      askChannel(fixture.local, widget, { layer: conv, channel: 0, generation });
    const failing = jest
      .spyOn(ExplanationSession.prototype, 'explainAndRead')
      .mockImplementation(() => {
        throw new Error('engine failure (injected)');
      });
    try {
      await explainFrom(fixture.local, widget, 'epsilon', 0, 5);
      expect(widget.get('error')).toBe('engine failure (injected)');
      expect(widget.get('generation')).toBe(1);
      // The shown trace was released for the click; computing it again for a channel fails too.
      expect(await firstChannel(1)).toHaveLength(0);
      expect(widget.get('error')).toMatch(
        /channels cannot be drawn until the next trace: engine failure \(injected\)/,
      );
    } finally {
      failing.mockRestore();
    }
    // The next click computes a trace again, whose channels are answered.
    await explainFrom(fixture.local, widget, 'epsilon', 0, 6);
    expect(widget.get('error')).toBe('');
    expect(widget.get('generation')).toBe(2);
    expect(await firstChannel(2)).toHaveLength(1);
    widget.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    input.dispose();
  });

  it('rejects a batch of several samples with a typed error', () => {
    const batch = tf.zeros([2, 28, 28, 1]);
    expect(() => explore(fixture.model, batch, { display: false })).toThrow(/batch has 2/);
    batch.dispose();
  });
});
