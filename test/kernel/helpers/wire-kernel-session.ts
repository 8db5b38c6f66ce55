import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { InstalledKernelspec } from './kernelspec';
import { installKernelspecForTest } from './kernelspec';
import { ManagedKernel, WireClient } from './wire-client';

/**
 * The set-up every wire test shares: the kernelspec installed into a private prefix, the kernel
 * started from it by jupyter_client in a fresh folder without node_modules (so
 * `require('tslab-widgets')` must work through the kernelspec), and a client connected on the wire.
 */
export class WireKernelSession {
  private constructor(
    private readonly spec: InstalledKernelspec,
    private readonly workDir: string,
    /** The kernel process, driven through jupyter_client. */
    readonly kernel: ManagedKernel,
    /** A front end on the kernel's ZeroMQ sockets. */
    readonly client: WireClient,
  ) {}

  /** Installs the kernelspec, starts a kernel and connects a client; undoes it all on failure. */
  static async start(): Promise<WireKernelSession> {
    const spec = installKernelspecForTest();
    let workDir: string | undefined;
    let kernel: ManagedKernel | undefined;
    try {
      workDir = mkdtempSync(join(tmpdir(), 'tslab-widgets-nb-'));
      const started = await ManagedKernel.start(spec.env, workDir);
      kernel = started.kernel;
      const client = await WireClient.connect(started.connection);
      return new WireKernelSession(spec, workDir, kernel, client);
    } catch (error) {
      if (kernel) await kernel.shutdown();
      spec.cleanup();
      if (workDir) rmSync(workDir, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Closes the client, shuts the kernel down (unless a test already did) and removes the
   * kernelspec prefix and the working folder.
   */
  async stop(options: { kernelAlreadyShutDown?: boolean } = {}): Promise<void> {
    this.client.close();
    if (!options.kernelAlreadyShutDown) await this.kernel.shutdown();
    this.spec.cleanup();
    rmSync(this.workDir, { recursive: true, force: true });
  }
}
