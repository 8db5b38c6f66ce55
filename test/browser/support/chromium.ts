/**
 * Debian's Chromium driven by playwright-core: headless, no sandbox (root in CI), no background
 * networking, a fresh profile per launch. Every request that does not go to localhost is aborted
 * and recorded, so a test can assert that a page needed no network.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Chromium binary used by every browser test. */
export const CHROMIUM_PATH = process.env.RLRP_CHROMIUM ?? '/usr/bin/chromium';

/** A running browser with one page and the bookkeeping tests assert on. */
export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** URLs of requests to anything but localhost (all aborted). */
  externalRequests: string[];
  /** Uncaught page errors and console errors. */
  pageErrors: string[];
  close(): Promise<void>;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Launches Chromium with a fresh `--user-data-dir`. */
export async function launchChromium(): Promise<BrowserSession> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install it with \`apt-get install chromium\`.`,
    );
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'rlrp-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 1000 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const externalRequests: string[] = [];
  const pageErrors: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'data:' || url.protocol === 'blob:' || LOCAL_HOSTS.has(url.hostname)) {
      return route.continue();
    }
    externalRequests.push(url.href);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
  });
  return {
    context,
    page,
    externalRequests,
    pageErrors,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Folder for screenshots and other artifacts of the browser tests. */
export function artifactPath(name: string): string {
  const dir = path.resolve(__dirname, '..', '..', '..', 'test-artifacts', 'browser');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
