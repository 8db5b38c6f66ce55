/** The benchmark's wait between alternated runs: until the other process's threads stop running. */
import { spawn } from 'child_process';
import { once } from 'events';
import { untilSettled } from '../../src/bench/settle';

/** A process that spins on its CPU for `spinMs`, says "idle", then sleeps until killed. */
function spinner(spinMs: number) {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `process.stdout.write('spinning\\n');
       const end = Date.now() + ${spinMs};
       while (Date.now() < end) {}
       process.stdout.write('idle\\n');
       setTimeout(() => {}, 60000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const said: string[] = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => said.push(...chunk.trim().split('\n')));
  return { child, said };
}

describe('untilSettled', () => {
  it('returns only once a busy process has stopped running', async () => {
    const { child, said } = spinner(400);
    try {
      await once(child.stdout, 'data'); // spinning
      await untilSettled([child.pid!]);
      // The spin ended before the wait did: its "idle" was written before the process went quiet.
      await new Promise((resolve) => setImmediate(resolve));
      expect(said).toContain('idle');
    } finally {
      child.kill();
    }
  });

  it('returns for a process that is already quiet, and for one that is gone', async () => {
    const { child, said } = spinner(0);
    try {
      while (!said.includes('idle')) await once(child.stdout, 'data');
      // Settled, not given up on: at least the least pause, under the 1 s limit.
      const waited = await untilSettled([child.pid!]);
      expect(waited).toBeGreaterThanOrEqual(10);
      expect(waited).toBeLessThan(1000);
    } finally {
      child.kill();
      await once(child, 'exit');
    }
    // No /proc entry any more: the fixed 25 ms pause.
    const waited = await untilSettled([child.pid!]);
    expect(waited).toBeGreaterThanOrEqual(24);
    expect(waited).toBeLessThan(500);
  });
});
