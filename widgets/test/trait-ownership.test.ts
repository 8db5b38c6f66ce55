/**
 * The three widgets declare who owns their traits: a front end (played here by tslab-widgets'
 * local runtime) cannot overwrite what the kernel computed, and may change only how it is drawn.
 */
import * as tf from '@tensorflow/tfjs';
import type { JsonObject } from 'tslab-widgets';
import { compareRules, explore, plotEvaluation } from '@rlrp/widgets';
import { digitLike, useMnistWidgetFixture } from './support/mnist-widget-fixture';

const FALLBACK = { fallbackPlotly: { src: '/plotly.min.js' }, display: false };

describe('trait ownership of the widgets', () => {
  const fixture = useMnistWidgetFixture();

  /** Sends a front-end update; returns the methods of what the kernel sent back. */
  async function frontendUpdate(modelId: string, state: JsonObject) {
    fixture.local.sent.length = 0;
    fixture.local.errors.length = 0;
    await fixture.local.deliver('comm_msg', {
      comm_id: modelId,
      data: { method: 'update', state },
    });
    return fixture.local.sent.map((m) => m.content.data as { method: string; state: object });
  }

  it('explorer: layers, rule and target are read-only; colormap and overlay are the front end’s', async () => {
    const input = digitLike();
    const baseline = tf.memory().numTensors;
    const widget = explore(fixture.model, input, FALLBACK);
    const layers = widget.get('layers');
    const sent = await frontendUpdate(widget.modelId, {
      layers: [],
      rule: 'forged',
      target: 3,
      colormap: 'gray',
      overlay: true,
    });
    expect(widget.get('layers')).toBe(layers);
    expect(widget.get('rule')).toBe('rlrp');
    expect(widget.get('colormap')).toBe('gray');
    expect(widget.get('overlay')).toBe(true);
    expect(fixture.local.errors.map((e) => String(e.error))).toEqual([
      expect.stringMatching(/trait "layers".*read-only/),
      expect.stringMatching(/trait "rule".*read-only/),
      expect.stringMatching(/trait "target".*read-only/),
    ]);
    expect(sent.map((m) => m.method)).toEqual(['echo_update', 'update']);
    expect(Object.keys(sent[1].state).sort()).toEqual(['layers', 'rule', 'target']);
    await frontendUpdate(widget.modelId, { colormap: 'rainbow', overlay_opacity: 2 });
    expect(widget.get('colormap')).toBe('gray');
    expect(widget.get('overlay_opacity')).toBe(0.6);
    expect(fixture.local.errors).toHaveLength(2);
    widget.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    input.dispose();
  });

  it('rule comparison: maps are read-only, the colour map is validated', async () => {
    const input = digitLike();
    const baseline = tf.memory().numTensors;
    const widget = compareRules(fixture.model, input, ['rlrp', 'lrp0'], FALLBACK);
    const maps = widget.get('maps');
    await frontendUpdate(widget.modelId, { maps: [], columns: 1, colormap: 'seismic' });
    expect(widget.get('maps')).toBe(maps);
    expect(widget.get('columns')).toBe(4);
    expect(widget.get('colormap')).toBe('seismic');
    expect(fixture.local.errors).toHaveLength(2);
    widget.close();
    expect(tf.memory().numTensors).toBe(baseline);
    input.dispose();
  });

  it('evaluation plot: every trait is read-only', async () => {
    const panels = [
      {
        id: 'deletion',
        title: 'deletion',
        x_label: 'fraction removed',
        y_label: 'score',
        series: [{ method: 'rlrp', x: [0, 1], y: [1, 0.1], auc: 0.5 }],
      },
    ];
    const widget = plotEvaluation(panels, FALLBACK);
    const sent = await frontendUpdate(widget.modelId, { panels: [], title: 'forged' });
    expect(widget.get('panels')[0].series[0].method).toBe('rlrp');
    expect(widget.get('title')).toBe('Evaluation');
    expect(sent.map((m) => m.method)).toEqual(['update']);
    expect(fixture.local.errors).toHaveLength(2);
    widget.close();
  });
});
