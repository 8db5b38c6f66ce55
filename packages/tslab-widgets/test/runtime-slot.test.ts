import { join } from 'path';
import * as source from '../src';
import { buildPlugin, PACKAGE_DIR } from '../../../test/kernel/helpers/kernelspec';

/**
 * The kernel launcher and a notebook may load two different copies of this package (for example
 * dist/ and a notebook-local install). They must share one runtime through the global slot.
 */
describe('runtime shared across package copies', () => {
  test('a widget made with one copy is seen by the other copy', () => {
    buildPlugin();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const compiled = require(join(PACKAGE_DIR, 'dist', 'index.js')) as typeof source;
    expect(compiled.Widget).not.toBe(source.Widget); // really two copies
    const local = source.installLocalRuntime();
    const widget = new compiled.Widget({
      model: { module: 'm', version: '^1.0.0', name: 'M' },
      state: { n: 1 },
    });
    expect(compiled.getRuntime()).toBe(local.runtime);
    expect(local.runtime.widgets.get(widget.modelId)).toBe(widget);
    expect(local.sent.map((m) => m.msgType)).toEqual(['comm_open']);
    expect(source.RUNTIME_SLOT).toBe(compiled.RUNTIME_SLOT);
    expect(source.MIME_BUNDLE).toBe(compiled.MIME_BUNDLE);
    expect(source.isDisplayable(widget)).toBe(true);
  });
});
