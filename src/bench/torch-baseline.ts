/**
 * The PyTorch side of `npm run bench`: a long-lived Python process (src/bench/torch-lrp.py) that
 * builds the same models and times their forward pass and an LRP-ε explanation on request, so that
 * the benchmark can alternate PyTorch runs with its own in one session (the machine's load then
 * weighs on both alike).
 */
import { type ChildProcessByStdio, spawn, spawnSync } from 'child_process';
import type { Readable, Writable } from 'stream';
import * as path from 'path';
import * as readline from 'readline';

/**
 * Debian's interpreter, where `apt-get install python3-torch` puts PyTorch (a pyenv or virtualenv
 * `python3` earlier on the PATH would not see it).
 */
const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(__dirname, 'torch-lrp.py');

/** What the Python side answers (each request fills its own fields). */
interface TorchAnswer {
  readonly ms?: number;
  readonly threads?: number;
  readonly torch?: string;
  readonly peak_rss_mb?: number;
  readonly error?: string;
}

/** A running PyTorch baseline. */
export class TorchBaseline {
  private readonly lines: AsyncIterator<string>;

  private constructor(private readonly child: ChildProcessByStdio<Writable, Readable, null>) {
    this.lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }

  /**
   * Starts the Python side with `threads` threads, or returns why it cannot run (PyTorch missing:
   * `node src/bootstrap/setup.mjs bench` installs it).
   */
  static start(threads: number): TorchBaseline | { unavailable: string } {
    const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      return {
        unavailable:
          `PyTorch is not importable by ${PYTHON} (${(probe.stderr || String(probe.error)).trim().split('\n').pop()}); ` +
          'install it with `node src/bootstrap/setup.mjs bench` (Debian python3-torch, libopenblas0-pthread)',
      };
    }
    const child = spawn(PYTHON, [SCRIPT, '--threads', String(threads)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    return new TorchBaseline(child);
  }

  /** The Python process's id (its threads are watched between runs: settle.ts). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Builds `model` (a name the Python side knows) with a random input batch of `batch`. */
  async load(model: string, batch: number): Promise<{ threads: number; torch: string }> {
    const answer = await this.request({ cmd: 'load', model, batch });
    return { threads: answer.threads ?? 0, torch: answer.torch ?? 'unknown' };
  }

  /** Milliseconds of one inference forward pass. */
  async forward(): Promise<number> {
    return (await this.request({ cmd: 'forward' })).ms ?? NaN;
  }

  /** Milliseconds of one LRP-ε explanation (forward and backward pass). */
  async explain(): Promise<number> {
    return (await this.request({ cmd: 'explain' })).ms ?? NaN;
  }

  /** One 3×3 'same' convolution of a `[1, size, size, cin]` input to `cout` channels, in ms. */
  async conv(size: number, cin: number, cout: number): Promise<number> {
    return (await this.request({ cmd: 'conv', size, cin, cout })).ms ?? NaN;
  }

  /** The Python process's peak resident memory so far. */
  async peakRssMb(): Promise<number> {
    return (await this.request({ cmd: 'stats' })).peak_rss_mb ?? NaN;
  }

  /** Ends the Python process. */
  stop(): void {
    this.child.stdin.end();
  }

  private async request(body: Record<string, unknown>): Promise<TorchAnswer> {
    this.child.stdin.write(JSON.stringify(body) + '\n');
    const next = await this.lines.next();
    if (next.done) throw new Error(`the PyTorch baseline exited (request ${JSON.stringify(body)})`);
    const answer = JSON.parse(next.value) as TorchAnswer;
    if (answer.error) throw new Error(`PyTorch baseline: ${answer.error}`);
    return answer;
  }
}
