/**
 * A real browser for the HTML report: Debian's chromium, headless, driven by playwright-core, with
 * a fresh profile and the background services off, so that the only request is the page's own.
 * `openPage` records console errors and warnings, page errors, dialogs and every request.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.DEBUG_EXIT_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface OpenedPage {
  page: Page;
  url: string;
  /** Console errors and warnings, uncaught page errors, dialogs (an alert is a script that should not run). */
  problems: string[];
  /** Every URL the page requested, its own included. */
  requests: string[];
  close(): Promise<void>;
}

export async function openPage(file: string, viewport = { width: 1280, height: 900 }): Promise<OpenedPage> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`no chromium at ${CHROMIUM}: run scripts/setup-system.sh (Debian package chromium)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-chromium-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport,
    });
  } catch (error) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const page = await context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => requests.push(r.url()));
  const url = pathToFileURL(file).href;
  await page.goto(url, { waitUntil: 'load' });
  const opened = context;
  return {
    page,
    url,
    problems,
    requests,
    close: async () => {
      await opened.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
