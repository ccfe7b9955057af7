/**
 * Headless Chromium for the dashboard's browser tests: the distribution's /usr/bin/chromium driven by
 * playwright-core, each session in a fresh profile directory, with flags that keep Chromium from
 * dialling out (the test machine's network refuses its background connections).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** The browser binary; `.ci/run` installs Debian's `chromium` when it is missing. */
export const CHROMIUM_PATH = process.env.LLMIOT_CHROMIUM ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where screenshots go (ignored by git); printed so a CI log names them. */
export const ARTIFACTS_DIR = resolve('test-artifacts', 'dashboard');

export interface BrowserSession {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and failed page scripts seen so far (a CSP violation shows up here), HTTP error answers aside. */
  readonly problems: string[];
  /** Save a full-page screenshot as test-artifacts/dashboard/{name}.png and print its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** The dashboard must have been built (`npm run build`, which `npm install` runs): the hub serves dist/dashboard/. */
export function assertDashboardBuilt(): void {
  if (!existsSync(resolve('dist', 'dashboard', 'index.html'))) throw new Error('dist/dashboard/index.html is missing: run "npm run build" before the dashboard tests');
}

export async function openBrowser(options: { viewport?: { width: number; height: number } } = {}): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: install Debian's chromium package (.ci/run does) or set LLMIOT_CHROMIUM`);
  assertDashboardBuilt();
  // launchPersistentContext: the profile directory is ours, fresh for each session, removed at close.
  const profile = mkdtempSync(join(tmpdir(), 'llmiot-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: FLAGS,
    viewport: options.viewport ?? { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (message) => {
    // An HTTP error answer (the 401 of the session probe before login) is the page's business, not a script problem.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return {
    context,
    page,
    problems,
    async screenshot(name) {
      mkdirSync(ARTIFACTS_DIR, { recursive: true });
      const path = join(ARTIFACTS_DIR, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      console.log(`screenshot: ${path}`);
      return path;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
