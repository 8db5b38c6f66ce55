/** Post-processing of nbconvert HTML and the fallback building blocks, on known inputs. */
import { RlrpError } from '@rlrp/core';
import {
  anywidgetRanges,
  defaultFallbackPlotly,
  FALLBACK_PLOTLY_ENV,
  escapeInlineScript,
  bytesToValues,
  explorerSnapshot,
  fallbackHtml,
  localizeWidgetHtml,
  markStaticWidgetState,
  quantiseToBytes,
  repairWidgetStateScripts,
  savedState,
  savedViewState,
  snapshotHtml,
  STATIC_EXPORT_TRAIT,
  type FallbackPlotly,
  withStandardWidgetState,
} from '@rlrp/widgets';

const NBCONVERT_PAGE = [
  '<html><head>',
  '<script src="file:///usr/share/javascript/requirejs/require.min.js"></script>',
  "<script>var widgetRendererSrc = 'https://unpkg.com/@jupyter-widgets/html-manager@*/dist/embed-amd.js';</script>",
  '<script src="file:///usr/share/javascript/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"> </script>',
  '</head><body>',
  '<script type="application/vnd.jupyter.widget-state+json">',
  '{"state": {"m1": {"model_module": "anywidget", "model_module_version": "*", "state": {"_esm": "a &lt;/script&gt; &amp;&amp; b &lt; c", "label": "R&amp;D"}}}}',
  '</script>',
  '</body></html>',
].join('\n');

describe('static HTML export post-processing', () => {
  it('restores the HTML-escaped widget state and keeps </script> from closing the element', () => {
    const html = repairWidgetStateScripts(NBCONVERT_PAGE);
    const json = /widget-state\+json">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(json).not.toContain('</script');
    const state = JSON.parse(json) as { state: { m1: { state: { _esm: string; label: string } } } };
    expect(state.state.m1.state._esm).toBe('a </script> && b < c');
    expect(state.state.m1.state.label).toBe('R&D');
  });

  it('loads require.js and html-manager from the local folder, marks it as the module CDN, drops MathJax', () => {
    const html = localizeWidgetHtml(NBCONVERT_PAGE, 'assets');
    expect(html).toContain(
      '<script data-jupyter-widgets-cdn="assets/" data-jupyter-widgets-cdn-only></script>',
    );
    expect(html).toContain('<script src="assets/require.js"></script>');
    expect(html).toContain("var widgetRendererSrc = 'assets/embed-amd.js';");
    expect(html).not.toMatch(/unpkg|file:\/\/|MathJax\.js/);
  });

  it('moves the state the Notebook extension saved to where nbconvert embeds it', () => {
    const mime = 'application/vnd.jupyter.widget-state+json';
    const notebook = {
      cells: [],
      metadata: {
        kernelspec: { name: 'k' },
        widgets: { [mime]: { state: { a: 'nbclient', b: 'nbclient' } } },
        'rlrp-widgets': { version_major: 2, version_minor: 0, state: { b: 'saved' } },
      },
    };
    expect(withStandardWidgetState(notebook)).toEqual({
      cells: [],
      metadata: {
        ...notebook.metadata,
        widgets: {
          [mime]: { version_major: 2, version_minor: 0, state: { a: 'nbclient', b: 'saved' } },
        },
      },
    });
    expect(withStandardWidgetState({ cells: [], metadata: {} })).toBeUndefined();
  });

  it('rejects HTML that did not come from nbconvert with a typed error', () => {
    expect(() => localizeWidgetHtml('<html></html>')).toThrow(RlrpError);
    expect(() => localizeWidgetHtml('<html></html>')).toThrow(/nbconvert --to html/);
  });

  it("marks this package's widgets, on either front end, as having no kernel; leaves other widgets alone", () => {
    const savedModel = (module: string, traits: object) => ({
      model_module: module,
      model_module_version: '*',
      model_name: 'M',
      state: traits,
    });
    const page = [
      '<script type="application/vnd.jupyter.widget-state+json">',
      JSON.stringify({
        version_major: 2,
        version_minor: 0,
        state: {
          any: savedModel('anywidget', { kind: 'relevance-explorer', _esm: 'x < y' }),
          own: savedModel('@rlrp/widgets', { kind: 'rule-comparison' }),
          foreign: savedModel('anywidget', { kind: 'something-else' }),
          slider: savedModel('@jupyter-widgets/controls', { value: 3 }),
        },
      }),
      '</script>',
      '<script type="application/vnd.jupyter.widget-view+json">{"model_id": "any"}</script>',
    ].join('\n');
    const html = markStaticWidgetState(page);
    const json = /widget-state\+json">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(json).not.toContain('<');
    const marked = (JSON.parse(json) as { state: Record<string, { state: object }> }).state;
    expect(marked.any.state).toEqual({
      kind: 'relevance-explorer',
      _esm: 'x < y',
      [STATIC_EXPORT_TRAIT]: true,
    });
    expect(marked.own.state).toEqual({ kind: 'rule-comparison', [STATIC_EXPORT_TRAIT]: true });
    expect(marked.foreign.state).toEqual({ kind: 'something-else' });
    expect(marked.slider.state).toEqual({ value: 3 });
    expect(html).toContain('{"model_id": "any"}');
    // localizeWidgetHtml, what `rlrp-widgets export-html` runs, applies the mark.
    expect(localizeWidgetHtml(`<script src="require.js"></script>\n${page}`)).toContain(
      `"${STATIC_EXPORT_TRAIT}":true`,
    );
  });

  it('leaves odd saved models as they are: null, a non-object state, a __proto__ model id', () => {
    const state =
      '{"state": {"gone": null, "odd": {"model_module": "@rlrp/widgets", "state": "x"}, ' +
      '"__proto__": {"model_module": "@rlrp/widgets", "state": {"kind": "rule-comparison"}}}}';
    const page = `<script type="application/vnd.jupyter.widget-state+json">${state}</script>`;
    const json = /widget-state\+json">([\s\S]*?)<\/script>/.exec(markStaticWidgetState(page))?.[1];
    const marked = JSON.parse(json ?? '') as { state: Record<string, unknown> };
    expect(marked.state['gone']).toBeNull();
    expect(marked.state['odd']).toEqual({ model_module: '@rlrp/widgets', state: 'x' });
    // A model id of "__proto__" stays an own key and is marked like any other.
    expect(Object.getOwnPropertyNames(marked.state)).toContain('__proto__');
    expect(JSON.stringify(marked)).toContain(`"${STATIC_EXPORT_TRAIT}":true`);
    expect(({} as Record<string, unknown>)[STATIC_EXPORT_TRAIT]).toBeUndefined();
  });

  it('leaves a state with none of its widgets byte for byte (no JSON round trip)', () => {
    // 1e400 and 2⁵³ + 1 would not survive JSON.parse and JSON.stringify.
    const state =
      '{"version_major": 2, "state": {"m": {"model_module": "other", "state": {"big": 1e400, ' +
      '"id": 9007199254740993, "zero": -0}}}}';
    const page = `<script type="application/vnd.jupyter.widget-state+json">${state}</script>`;
    expect(markStaticWidgetState(page)).toBe(page);
  });

  it('rejects widget state that is not JSON with a typed error', () => {
    const page = '<script type="application/vnd.jupyter.widget-state+json">{"state": </script>';
    expect(() => markStaticWidgetState(page)).toThrow(RlrpError);
    expect(() => markStaticWidgetState(page)).toThrow(/widget state is not JSON/);
  });

  it('finds the anywidget version ranges the state asks for', () => {
    expect(anywidgetRanges(NBCONVERT_PAGE)).toEqual(['*']);
    expect(
      anywidgetRanges('"model_module": "@rlrp/widgets", "model_module_version": "^0.1.0"'),
    ).toEqual([]);
  });
});

describe('fallback building blocks', () => {
  it('escapes what would end or confuse an inline script', () => {
    expect(escapeInlineScript('a</script>b<!--c</SCRIPT')).toBe('a<\\/script>b<\\!--c<\\/SCRIPT');
  });

  it('saves a state with binary values as base64 and leaves protocol traits out', () => {
    const saved = savedViewState({
      _model_name: 'RelevanceExplorerModel',
      _esm: 'export default {}',
      title: 't',
      layers: [{ data: new Float32Array([0.5, -1]), shape: [2] }],
    });
    expect(saved).toEqual({
      title: 't',
      layers: [
        { data: Buffer.from(new Float32Array([0.5, -1]).buffer).toString('base64'), shape: [2] },
      ],
    });
    expect(savedState(new Uint8Array([1, 2, 255]))).toBe('AQL/');
    // A `__proto__` key in a front end's JSON stays a key: no prototype is replaced.
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as object;
    const kept = savedState(hostile as never) as Record<string, unknown>;
    expect(Object.getPrototypeOf(kept)).toBe(Object.prototype);
    expect(Object.hasOwn(kept, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('quantises a picture to 8 bits and maps it back within half a step', () => {
    const values = new Float32Array([-1, -0.5, 0, 0.3, 1]);
    const bytes = quantiseToBytes(values, [-1, 1]);
    expect(Array.from(bytes)).toEqual([0, 64, 128, 166, 255]);
    const back = bytesToValues(bytes, [-1, 1]);
    values.forEach((v, i) => expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(1 / 255 + 1e-6));
  });

  it('draws the snapshot as input and relevance tiles, and embeds it as a PNG', () => {
    const input = {
      shape: [2, 2, 1],
      data: quantiseToBytes(new Float32Array([0, 1, 1, 0]), [0, 1]),
      range: [0, 1] as [number, number],
    };
    const layer = {
      name: 'input',
      class_name: 'InputLayer',
      shape: [2, 2, 1],
      data: new Float32Array([1, -1, 0, 0.5]),
      mass: 2.5,
      sum: 0.5,
      vanished: false,
    };
    const image = explorerSnapshot(input, layer, 'bwr');
    expect([image.width, image.height]).toEqual([2 * 224 + 3 * 8, 224 + 2 * 8]);
    // Top-left pixel of the relevance tile: the largest positive value, drawn red by bwr.
    const at = 4 * (8 * image.width + 8 + 224 + 8);
    expect(image.data[at]).toBeGreaterThan(200);
    expect(image.data[at + 2]).toBeLessThan(60);
    const html = snapshotHtml(image, 'a <b> caption');
    expect(html).toMatch(
      /^<img class="rlrp-snapshot" alt="a &#60;b&#62; caption" src="data:image\/png;base64,/,
    );
    expect(fallbackHtml({ state: {}, staticHtml: html }, 'none')).not.toContain('<script');
  });

  it('rejects a bad fallbackPlotly option with a typed error', () => {
    // What an untyped notebook cell may pass: a wrong shape.
    const bad = { href: 'x' } as unknown as FallbackPlotly;
    expect(() => fallbackHtml({ state: {}, staticHtml: '' }, bad)).toThrow(RlrpError);
  });

  it('takes the fallback plotly source from the environment, none (a snapshot) by default', () => {
    const saved = process.env[FALLBACK_PLOTLY_ENV];
    try {
      delete process.env[FALLBACK_PLOTLY_ENV];
      expect(defaultFallbackPlotly()).toBe('none');
      process.env[FALLBACK_PLOTLY_ENV] = 'inline';
      expect(defaultFallbackPlotly()).toBe('inline');
      process.env[FALLBACK_PLOTLY_ENV] = 'widgets-static/plotly.min.js';
      expect(defaultFallbackPlotly()).toEqual({ src: 'widgets-static/plotly.min.js' });
    } finally {
      if (saved === undefined) delete process.env[FALLBACK_PLOTLY_ENV];
      else process.env[FALLBACK_PLOTLY_ENV] = saved;
    }
  });
});
