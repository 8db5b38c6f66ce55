import { join } from 'path';
import { main, parseInstallArgs, UsageError } from '../src/cli/main';
import { buildKernelJson, DISPLAY_NAME, KERNEL_NAME } from '../src/cli/kernelspec';
import { loadTslab, PINNED_TSLAB_VERSION, TslabVersionError } from '../src/kernel/tslab';
import { decodeMessage, encodeMessage, MessageSigner, WireError } from '../src/kernel/wire';

describe('tslab version pin', () => {
  test('the installed tslab is the pinned one and loads', () => {
    const tslab = loadTslab();
    expect(tslab.version).toBe(PINNED_TSLAB_VERSION);
    expect(tslab.syntaxErrors('const = 1;').length).toBeGreaterThan(0);
    expect(tslab.syntaxErrors('const a = 1;')).toEqual([]);
  });

  test('another tslab version stops with a message naming both versions and the fix', () => {
    const load = (id: string): unknown => {
      if (id === 'tslab/package.json') return { version: '1.0.21' };
      throw new Error(`must not load ${id} on a wrong version`);
    };
    expect(() => loadTslab(load)).toThrow(TslabVersionError);
    expect(() => loadTslab(load)).toThrow(
      /needs tslab 1\.0\.22 exactly, but found tslab 1\.0\.21.*npm install tslab@1\.0\.22/s,
    );
  });
});

describe('kernelspec', () => {
  const root = join(__dirname, '..');

  test('kernel.json runs the launcher with this node and exposes the package on NODE_PATH', () => {
    const spec = buildKernelJson(root, '0.1.0');
    expect(KERNEL_NAME).toBe('tslab-widgets');
    expect(spec.display_name).toBe(DISPLAY_NAME);
    expect(spec.display_name).toBe('TypeScript (tslab + widgets)');
    expect(spec.argv).toEqual([
      process.execPath,
      expect.stringMatching(/tslab-widgets[/\\]bin[/\\]tslab-widgets\.js$/),
      'kernel',
      '--connection-file',
      '{connection_file}',
    ]);
    expect(spec.env['NODE_PATH']).toBe(join(root, '..'));
    expect(spec.language).toBe('typescript');
  });

  test('install options', () => {
    expect(parseInstallArgs([])).toEqual({});
    expect(parseInstallArgs(['--python', '/usr/bin/python3', '--user'])).toEqual({
      python: '/usr/bin/python3',
      user: true,
    });
    expect(parseInstallArgs(['--prefix=/opt/env'])).toEqual({ prefix: '/opt/env' });
    expect(() => parseInstallArgs(['--user', '--prefix', '/x'])).toThrow(UsageError);
    expect(() => parseInstallArgs(['--python'])).toThrow(/--python needs a value/);
    expect(() => parseInstallArgs(['--sys'])).toThrow(/unknown option --sys/);
  });

  test('the CLI refuses an unknown command with usage text', async () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      expect(await main(['frobnicate'])).toBe(1);
      expect(await main(['install', '--user', '--prefix', '/x'])).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(written[0]).toMatch(/unknown command frobnicate[\s\S]*tslab-widgets install/);
    expect(written[1]).toMatch(/choose one of --user and --prefix/);
  });
});

describe('wire signing', () => {
  const signer = new MessageSigner('secret-key', 'hmac-sha256');
  const message = () =>
    encodeMessage(
      {
        msgType: 'comm_msg',
        session: 's',
        parentHeader: {},
        content: { a: 1 },
        buffers: [Uint8Array.from([1, 2])],
      },
      signer,
    );

  test('a signed message round-trips with its binary frame', () => {
    const decoded = decodeMessage(message(), new MessageSigner('secret-key', 'hmac-sha256'));
    expect(decoded.header.msg_type).toBe('comm_msg');
    expect(decoded.content).toEqual({ a: 1 });
    expect([...decoded.buffers[0]]).toEqual([1, 2]);
  });

  test('wrong key, tampered content and replays are refused', () => {
    expect(() => decodeMessage(message(), new MessageSigner('other-key', 'hmac-sha256'))).toThrow(
      /bad HMAC signature/,
    );
    const tampered = message();
    tampered[5] = Buffer.from('{"a":2}');
    expect(() => decodeMessage(tampered, signer)).toThrow(WireError);
    const once = message();
    const verifier = new MessageSigner('secret-key', 'hmac-sha256');
    decodeMessage(once, verifier);
    expect(() => decodeMessage(once, verifier)).toThrow(/replayed/);
  });

  test('an empty key disables signing (Jupyter spec)', () => {
    const open = new MessageSigner('', '');
    const frames = encodeMessage(
      { msgType: 'x', session: 's', parentHeader: {}, content: {} },
      open,
    );
    expect(frames[1].toString()).toBe('');
    expect(decodeMessage(frames, open).header.msg_type).toBe('x');
  });
});
