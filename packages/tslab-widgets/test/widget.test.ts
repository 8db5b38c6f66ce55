import type { LocalRuntime } from '../src';
import { MIME_BUNDLE, Widget, installLocalRuntime, traits } from '../src';

interface DemoState {
  value: number;
  label: string;
  weights: Float32Array;
  nested: { shape: number[]; data: Uint8Array | null };
}

class Demo extends Widget<DemoState> {
  constructor() {
    super({
      model: { module: 'demo-widgets', version: '^1.0.0', name: 'DemoModel' },
      view: { module: 'demo-widgets', version: '^1.0.0', name: 'DemoView' },
      state: {
        value: 1,
        label: 'a',
        weights: new Float32Array([1, 2]),
        nested: { shape: [2], data: new Uint8Array([7, 8]) },
      },
      traits: { value: traits.number({ min: 0 }), weights: traits.typedArray(Float32Array) },
    });
  }
}

describe('Widget on a local runtime', () => {
  let local: LocalRuntime;
  beforeEach(() => {
    local = installLocalRuntime();
  });

  test('comm_open carries the state with binary values cut out as buffers', () => {
    const widget = new Demo();
    const open = local.sent[0];
    expect(open.msgType).toBe('comm_open');
    expect(open.metadata).toEqual({ version: '2.1.0' });
    expect(open.content['target_name']).toBe('jupyter.widget');
    expect(open.content['comm_id']).toBe(widget.modelId);
    const data = open.content['data'] as { state: Record<string, unknown>; buffer_paths: unknown };
    expect(data.state['_model_name']).toBe('DemoModel');
    expect(data.state['weights']).toBeUndefined();
    expect(data.buffer_paths).toEqual([['weights'], ['nested', 'data']]);
    expect(new Float32Array(open.buffers[0].slice().buffer)).toEqual(new Float32Array([1, 2]));
    expect([...open.buffers[1]]).toEqual([7, 8]);
  });

  test('kernel-side set sends one update and fires listeners', () => {
    const widget = new Demo();
    const changes: unknown[] = [];
    widget.observe('value', (change) => changes.push(change));
    local.sent.length = 0;
    widget.set({ value: 5, label: 'b' });
    expect(changes).toEqual([{ name: 'value', oldValue: 1, newValue: 5, source: 'kernel' }]);
    expect(local.sent).toHaveLength(1);
    expect(local.sent[0].content['data']).toEqual({
      method: 'update',
      state: { value: 5, label: 'b' },
      buffer_paths: [],
    });
  });

  test('front-end update: validated, echoed, applied, not sent back', async () => {
    const widget = new Demo();
    const sources: string[] = [];
    widget.observe('*', (change) => sources.push(`${String(change.name)}:${change.source}`));
    local.sent.length = 0;
    const bytes = new Uint8Array(new Float32Array([3, 4, 5]).buffer);
    await local.deliver(
      'comm_msg',
      {
        comm_id: widget.modelId,
        data: { method: 'update', state: { value: 9 }, buffer_paths: [['weights']] },
      },
      { buffers: [bytes] },
    );
    expect(widget.get('value')).toBe(9);
    expect(widget.get('weights')).toEqual(new Float32Array([3, 4, 5]));
    expect(sources).toEqual(['value:frontend', 'weights:frontend']);
    expect(local.sent.map((m) => (m.content['data'] as { method: string }).method)).toEqual([
      'echo_update',
    ]);
  });

  test('a rejected value is reported and the kernel value resent', async () => {
    const widget = new Demo();
    local.sent.length = 0;
    await local.deliver('comm_msg', {
      comm_id: widget.modelId,
      data: { method: 'update', state: { value: -1 }, buffer_paths: [] },
    });
    expect(widget.get('value')).toBe(1);
    expect(local.errors).toHaveLength(1);
    expect(String(local.errors[0].error)).toMatch(/trait "value".*>= 0/);
    expect(local.sent[0].content['data']).toEqual({
      method: 'update',
      state: { value: 1 },
      buffer_paths: [],
    });
  });

  test('request_state, custom messages, close, control target', async () => {
    const widget = new Demo();
    const got: unknown[] = [];
    widget.onCustomMessage((content, buffers) => {
      got.push(content, buffers.length);
      widget.send({ reply: true }, [new Uint16Array([1])]);
    });
    local.sent.length = 0;
    await local.deliver('comm_msg', { comm_id: widget.modelId, data: { method: 'request_state' } });
    const full = local.sent[0].content['data'] as { state: Record<string, unknown> };
    expect(full.state['label']).toBe('a');
    expect(full.state['_model_name']).toBe(widget.fullState()['_model_name']);
    await local.deliver(
      'comm_msg',
      { comm_id: widget.modelId, data: { method: 'custom', content: { x: 1 } } },
      { buffers: [new Uint8Array([1])] },
    );
    expect(got).toEqual([{ x: 1 }, 1]);
    expect(local.sent[1].buffers).toHaveLength(1);

    await local.deliver(
      'comm_open',
      {
        comm_id: 'ctl',
        target_name: 'jupyter.widget.control',
        data: {},
      },
      { metadata: { version: '1.0.0' } },
    );
    await local.deliver('comm_msg', { comm_id: 'ctl', data: { method: 'request_states' } });
    const states = local.sent[local.sent.length - 1].content['data'] as {
      method: string;
      buffer_paths: unknown[];
    };
    expect(states.method).toBe('update_states');
    expect(states.buffer_paths).toContainEqual([widget.modelId, 'state', 'weights']);

    widget.close();
    expect(local.sent[local.sent.length - 1].msgType).toBe('comm_close');
    expect(local.runtime.widgets.has(widget.modelId)).toBe(false);
    const bundle = widget[MIME_BUNDLE]();
    expect(Object.keys(bundle.data).sort()).toEqual([
      'application/vnd.jupyter.widget-view+json',
      'text/html',
      'text/plain',
    ]);
  });
});
