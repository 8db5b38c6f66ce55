/** Post-processing of nbconvert HTML and the fallback building blocks, on known inputs. */
import { RlrpError } from '@rlrp/core';
import {
  anywidgetRanges,
  defaultFallbackPlotly,
  FALLBACK_PLOTLY_ENV,
  escapeInlineScript,
  fallbackLayer,
  float32ToBase64,
  localizeWidgetHtml,
  repairWidgetStateScripts,
  sumChannels,
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

  it('rejects HTML that did not come from nbconvert with a typed error', () => {
    expect(() => localizeWidgetHtml('<html></html>')).toThrow(RlrpError);
    expect(() => localizeWidgetHtml('<html></html>')).toThrow(/nbconvert --to html/);
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

  it('sums channels-last maps over channels', () => {
    // 1×2 pixels, 3 channels.
    expect(Array.from(sumChannels(new Float32Array([1, 2, 3, -1, -1, 4]), 1, 2, 3))).toEqual([
      6, 2,
    ]);
  });

  it('reduces spatial layers to [H, W] and encodes Float32 values losslessly', () => {
    const layer = fallbackLayer({
      name: 'conv',
      class_name: 'Conv2D',
      shape: [1, 2, 2],
      data: new Float32Array([0.5, 0.25, -1, 3]),
      mass: 4.75,
      sum: 2.75,
      vanished: false,
    });
    expect(layer.shape).toEqual([1, 2]);
    expect(layer.original_shape).toEqual([1, 2, 2]);
    const decoded = new Float32Array(Uint8Array.from(Buffer.from(layer.data, 'base64')).buffer);
    expect(Array.from(decoded)).toEqual([0.75, 2]);
    expect(float32ToBase64(new Float32Array([1]))).toBe(
      Buffer.from(new Float32Array([1]).buffer).toString('base64'),
    );
  });

  it('takes the fallback plotly source from the environment, inline by default', () => {
    const saved = process.env[FALLBACK_PLOTLY_ENV];
    try {
      delete process.env[FALLBACK_PLOTLY_ENV];
      expect(defaultFallbackPlotly()).toBe('inline');
      process.env[FALLBACK_PLOTLY_ENV] = 'widgets-static/plotly.min.js';
      expect(defaultFallbackPlotly()).toEqual({ src: 'widgets-static/plotly.min.js' });
    } finally {
      if (saved === undefined) delete process.env[FALLBACK_PLOTLY_ENV];
      else process.env[FALLBACK_PLOTLY_ENV] = saved;
    }
  });
});
