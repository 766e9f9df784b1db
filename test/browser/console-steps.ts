/** Steps the console's browser tests share. */
import type { Browser, Page } from 'playwright-core';

/** Opens the console at `url` in `page` and submits the sign-in form. */
export async function signIn(page: Page, url: string, keyId: string, secret: string) {
  await page.goto(`${url}/console/`);
  await page.getByLabel('Access key').fill(keyId);
  await page.getByLabel('Secret').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A new page (its own cookies) signed in as the given keys. */
export async function signedInPage(
  browser: Browser,
  url: string,
  keyId: string,
  secret: string,
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signIn(page, url, keyId, secret);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return page;
}
