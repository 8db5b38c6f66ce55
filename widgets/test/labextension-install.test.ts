/**
 * `rlrp-widgets install-labextension`: where each scope installs, what lands there (the layout
 * JupyterLab's `labextensions` lookup expects), and the typed errors for bad options.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildLabextension } from '../../test/browser/support/jupyterlab-build';
import { main } from '../src/cli';
import { WidgetOptionError } from '../src/errors';
import {
  installLabextension,
  LABEXTENSION_NAME,
  labextensionsDir,
} from '../src/labextension-install';

describe('install-labextension', () => {
  let scratch: string;

  beforeAll(() => {
    buildLabextension();
  }, 600_000);

  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rlrp-labext-test-'));
  });

  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('--prefix DIR installs the built extension as JupyterLab finds it', () => {
    const target = installLabextension({ scope: 'prefix', prefix: scratch });
    expect(target).toBe(
      path.join(scratch, 'share', 'jupyter', 'labextensions', '@rlrp', 'jupyterlab-widgets'),
    );
    const manifest = JSON.parse(fs.readFileSync(path.join(target, 'package.json'), 'utf8')) as {
      name: string;
      jupyterlab: { _build: { load: string; extension: string } };
    };
    expect(manifest.name).toBe(LABEXTENSION_NAME);
    expect(manifest.jupyterlab._build.extension).toBe('./extension');
    expect(fs.existsSync(path.join(target, manifest.jupyterlab._build.load))).toBe(true);
    const install = JSON.parse(fs.readFileSync(path.join(target, 'install.json'), 'utf8')) as {
      packageName: string;
    };
    expect(install.packageName).toBe('@rlrp/widgets');
  });

  it('a second install replaces the first (no stale remoteEntry files)', () => {
    const target = installLabextension({ scope: 'prefix', prefix: scratch });
    fs.writeFileSync(path.join(target, 'static', 'remoteEntry.stale.js'), '');
    installLabextension({ scope: 'prefix', prefix: scratch });
    expect(fs.existsSync(path.join(target, 'static', 'remoteEntry.stale.js'))).toBe(false);
  });

  it('--user follows JUPYTER_DATA_DIR, --sys-prefix the Python’s sys.prefix', () => {
    expect(labextensionsDir({ scope: 'user', env: { JUPYTER_DATA_DIR: scratch } })).toBe(
      path.join(scratch, 'labextensions'),
    );
    expect(labextensionsDir({ scope: 'sys-prefix', python: '/usr/bin/python3' })).toBe(
      '/usr/share/jupyter/labextensions',
    );
  });

  it('bad options are typed errors that say how to fix them', () => {
    expect(() => labextensionsDir({ scope: 'prefix' })).toThrow(WidgetOptionError);
    expect(() => labextensionsDir({ scope: 'prefix' })).toThrow(/--prefix DIR/);
    expect(() =>
      labextensionsDir({ scope: 'sys-prefix', python: path.join(scratch, 'no-python') }),
    ).toThrow(/--user or --prefix DIR/);
    expect(() => labextensionsDir({ scope: 'global' as never })).toThrow(WidgetOptionError);
  });

  it('the CLI installs into --prefix and says what else Lab needs', () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(main(['install-labextension', '--prefix', scratch])).toBe(0);
      const printed = log.mock.calls.map((call) => String(call[0])).join('\n');
      expect(printed).toContain(path.join(scratch, 'share', 'jupyter', 'labextensions'));
      expect(printed).toMatch(/jupyterlab_widgets/);
      expect(printed).toMatch(/tslab-widgets/);
    } finally {
      log.mockRestore();
    }
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(main(['install-labextension', '--prefix'])).toBe(1);
    } finally {
      error.mockRestore();
    }
  });
});
