import type { JsonObject, LocalRuntime } from '../src';
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

interface OwnedState {
  layers: string[];
  zoom: number;
  span: { from: number; to: number };
}

/** `span` is kept as an object in the kernel but travels as a `[from, to]` pair. */
const SPAN_AS_PAIR = {
  toWire: (span: { from: number; to: number }) => [span.from, span.to],
  fromWire: (value: unknown) => {
    if (!Array.isArray(value) || value.length !== 2 || !value.every(Number.isFinite)) {
      throw new TypeError(`expected [from, to], got ${JSON.stringify(value)}`);
    }
    return { from: value[0] as number, to: value[1] as number };
  },
};

class Owned extends Widget<OwnedState> {
  constructor(echoUpdates?: boolean) {
    super({
      model: { module: 'demo-widgets', version: '^1.0.0', name: 'OwnedModel' },
      state: { layers: ['conv', 'dense'], zoom: 1, span: { from: 0, to: 10 } },
      traits: { zoom: traits.number({ min: 1 }) },
      readOnly: ['layers'],
      serializers: { span: SPAN_AS_PAIR },
      echoUpdates,
    });
  }
}

class Quiet extends Owned {
  static override echoUpdates = false;
}

describe('declared traits', () => {
  let local: LocalRuntime;
  beforeEach(() => {
    local = installLocalRuntime();
  });
  const methods = () => local.sent.map((m) => (m.content['data'] as { method: string }).method);
  const update = (widget: Widget<OwnedState>, state: JsonObject) =>
    local.deliver('comm_msg', { comm_id: widget.modelId, data: { method: 'update', state } });

  test('a front end cannot overwrite a read-only trait; the kernel value is sent back', async () => {
    const widget = new Owned();
    const seen: unknown[] = [];
    widget.observe('layers', (change) => seen.push(change.newValue));
    local.sent.length = 0;
    await update(widget, { layers: ['forged'], zoom: 3 });
    expect(widget.get('layers')).toEqual(['conv', 'dense']);
    expect(seen).toEqual([]);
    expect(widget.get('zoom')).toBe(3); // the writable trait of the same update is applied
    expect(String(local.errors[0].error)).toMatch(/trait "layers".*read-only/);
    expect(local.sent.map((m) => m.content['data'])).toEqual([
      { method: 'echo_update', state: { zoom: 3 }, buffer_paths: [] },
      { method: 'update', state: { layers: ['conv', 'dense'] }, buffer_paths: [] },
    ]);
    expect(widget.isReadOnly('layers')).toBe(true);
    expect(widget.isReadOnly('zoom')).toBe(false);
    widget.set({ layers: ['pool'] }); // the kernel still owns it
    expect(widget.get('layers')).toEqual(['pool']);
  });

  test('a serializer shapes every outgoing message and decodes incoming values', async () => {
    const widget = new Owned();
    const open = local.sent[0].content['data'] as { state: Record<string, unknown> };
    expect(open.state['span']).toEqual([0, 10]);
    local.sent.length = 0;
    widget.set({ span: { from: 2, to: 4 } });
    expect(local.sent[0].content['data']).toEqual({
      method: 'update',
      state: { span: [2, 4] },
      buffer_paths: [],
    });
    await update(widget, { span: [5, 6] });
    expect(widget.get('span')).toEqual({ from: 5, to: 6 });
    expect(methods()).toEqual(['update', 'echo_update']);
    expect((local.sent[1].content['data'] as { state: unknown }).state).toEqual({ span: [5, 6] });
    await update(widget, { span: 'wide' });
    expect(widget.get('span')).toEqual({ from: 5, to: 6 });
    expect(String(local.errors[0].error)).toMatch(/trait "span".*expected \[from, to\]/);
  });

  test('request_state answers the full state, protocol keys and serialized traits included', async () => {
    const widget = new Owned();
    local.sent.length = 0;
    await local.deliver('comm_msg', { comm_id: widget.modelId, data: { method: 'request_state' } });
    const data = local.sent[0].content['data'] as { method: string; state: unknown };
    expect(data.method).toBe('update');
    expect(data.state).toEqual({
      _model_module: 'demo-widgets',
      _model_module_version: '^1.0.0',
      _model_name: 'OwnedModel',
      _view_module: null,
      _view_module_version: '',
      _view_name: null,
      layers: ['conv', 'dense'],
      zoom: 1,
      span: [0, 10],
    });
  });

  test('echo is per class and per instance', async () => {
    const echoing = new Owned();
    const quiet = new Quiet();
    const mutedInstance = new Owned(false);
    expect([echoing.echoUpdates, quiet.echoUpdates, mutedInstance.echoUpdates]).toEqual([
      true,
      false,
      false,
    ]);
    for (const widget of [echoing, quiet, mutedInstance]) {
      local.sent.length = 0;
      await update(widget, { zoom: 2 });
      expect(widget.get('zoom')).toBe(2);
      expect(methods()).toEqual(widget === echoing ? ['echo_update'] : []);
    }
    quiet.echoUpdates = true;
    local.sent.length = 0;
    await update(quiet, { zoom: 5 });
    expect(methods()).toEqual(['echo_update']);
  });

  test('batch sends the changes of all its sets as one update, nested batches at the end', () => {
    const widget = new Owned();
    local.sent.length = 0;
    widget.batch(() => {
      widget.set({ zoom: 2 });
      widget.batch(() => widget.set({ layers: ['a'] }));
      expect(local.sent).toHaveLength(0);
      widget.set({ zoom: 4 });
    });
    expect(local.sent.map((m) => m.content['data'])).toEqual([
      { method: 'update', state: { zoom: 4, layers: ['a'] }, buffer_paths: [] },
    ]);
    local.sent.length = 0;
    expect(() =>
      widget.batch(() => {
        widget.set({ zoom: 7 });
        throw new Error('stop');
      }),
    ).toThrow('stop');
    // what was set before the exception still reaches the front end
    expect(local.sent.map((m) => m.content['data'])).toEqual([
      { method: 'update', state: { zoom: 7 }, buffer_paths: [] },
    ]);
  });

  test('serializing an undeclared trait is a TypeError', () => {
    const declare = (options: object) =>
      new Widget<{ a: number }>({
        model: { module: 'm', version: '1', name: 'M' },
        state: { a: 1 },
        ...options,
      });
    expect(() => declare({ serializers: { c: SPAN_AS_PAIR } })).toThrow(/no trait "c"/);
  });

  test('a front-end update with a __proto__ state key changes nothing shared', async () => {
    const widget = new Owned();
    await local.deliver('comm_msg', {
      comm_id: widget.modelId,
      data: JSON.parse('{"method": "update", "state": {"__proto__": {"zoom": 9}, "zoom": 2}}'),
    });
    expect(widget.get('zoom')).toBe(2);
    expect(({} as Record<string, unknown>)['zoom']).toBeUndefined();
  });
});

describe('the display bundle in a static HTML export', () => {
  class Unpublished extends Demo {
    protected override viewInStaticHtmlExport(): boolean {
      return false;
    }
  }
  const VIEW = 'application/vnd.jupyter.widget-view+json';

  test('a widget keeps its view unless it says a CDN cannot serve its module', () => {
    installLocalRuntime({ staticHtmlExport: 'jupyter nbconvert --to html' });
    expect(Object.keys(new Demo()[MIME_BUNDLE]().data)).toContain(VIEW);
    const fallbackOnly = new Unpublished()[MIME_BUNDLE]().data;
    expect(Object.keys(fallbackOnly).sort()).toEqual(['text/html', 'text/plain']);
  });

  test('outside an export both keep the view', () => {
    installLocalRuntime();
    expect(Object.keys(new Unpublished()[MIME_BUNDLE]().data)).toContain(VIEW);
  });
});
