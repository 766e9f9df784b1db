/**
 * A real browser for the browser tests: Debian's chromium (apt-get install chromium), driven
 * by playwright-core, which downloads no browser of its own. Headless, no sandbox (CI runs as
 * root), and nothing that reaches beyond loopback.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where Debian installs chromium; the browser tests skip (outside CI) when it is missing. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Where browser tests save their screenshots (the README shows some of them). */
export const SCREENSHOT_DIR = path.resolve('test-results/screenshots');

/**
 * Starts chromium headless; close it (in afterAll) with `browser.close()`. `extraArgs` are
 * added to the command line (e.g. `--host-resolver-rules=MAP *.web.test 127.0.0.1`).
 */
export async function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-default-apps',
      '--disable-sync',
      '--no-first-run',
      ...extraArgs,
    ],
  });
}

/** Saves a full-page screenshot as SCREENSHOT_DIR/NAME.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
