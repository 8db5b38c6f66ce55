/**
 * The Jupyter protocol conformance suite (Debian's python3-jupyter-kernel-test) against the
 * tslab-widgets kernel started from its kernelspec by jupyter_client. Every sample is filled in
 * (conformance_test.py), so all 12 tests run and none is skipped.
 */
import { spawnSync } from 'child_process';
import type { InstalledKernelspec } from './helpers/kernelspec';
import { installKernelspecForTest, PYTHON } from './helpers/kernelspec';

describe('jupyter_kernel_test conformance', () => {
  let spec: InstalledKernelspec;
  beforeAll(() => {
    spec = installKernelspecForTest();
  });
  afterAll(() => spec?.cleanup());

  test('all 12 tests of KernelTests pass, none skipped', () => {
    const run = spawnSync(PYTHON, ['-m', 'unittest', '-v', 'conformance_test'], {
      cwd: __dirname,
      env: spec.env,
      encoding: 'utf8',
      timeout: 180000,
    });
    const output = `${run.stdout}\n${run.stderr}`;
    expect({ status: run.status, output }).toEqual({ status: 0, output: expect.any(String) });
    expect(output).toMatch(/Ran 12 tests/);
    expect(output).toMatch(/\nOK\s*$/);
    expect(output).not.toMatch(/skipped/);
    for (const name of [
      'kernel_info',
      'execute_stdout',
      'execute_stderr',
      'execute_result',
      'display_data',
      'error',
      'completion',
      'inspect',
      'is_complete',
      'history',
      'pager',
      'clear_output',
    ]) {
      expect(output).toMatch(new RegExp(`test_${name} \\(.*\\) \\.\\.\\. ok`));
    }
  });
});
