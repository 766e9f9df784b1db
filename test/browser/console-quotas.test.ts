/**
 * Quotas in the console (issue 22 item 3), in chromium against a real `cairn start`: the
 * admin sets a bucket's quota in the page (bad values refused with the server's message,
 * nothing changed), an S3 PUT over it is then refused with 403 QuotaExceeded, and once the
 * quota is cleared the same PUT succeeds; a user sees its own quota read-only.
 */
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { s3Client } from '../helpers/s3-client.js';
import { skipWith } from '../helpers/skip.js';
import { missingTool } from '../helpers/tools.js';
import { signIn, signedInPage } from './console-steps.js';

const BUCKET = 'quota-test';

/** The HTTP status and S3 error code of a 2 KiB PUT into the bucket ('' when stored). */
async function put2KiB(s3: S3Client, key: string): Promise<string> {
  try {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.alloc(2048) }));
    return '';
  } catch (error) {
    const e = error as { name: string; $metadata?: { httpStatusCode?: number } };
    return `${e.$metadata?.httpStatusCode} ${e.name}`;
  }
}

describe('console quotas', skipWith(missingTool('chromium')), () => {
  let server: CairnProcess;
  let browser: Browser;
  let page: Page;
  let s3: S3Client;

  beforeAll(async () => {
    // Usage counters flushed every second, so the page shows what was stored soon.
    server = await startCairn({ env: { CAIRN_USAGE_FLUSH_SECONDS: '1' } });
    browser = await launchBrowser();
    s3 = s3Client(server);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  afterAll(async () => {
    s3?.destroy();
    await browser?.close();
    await server?.cleanup();
  });

  it('refuses bad values with the server’s message and changes nothing', async () => {
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await signIn(page, server.url, server.keyId, server.secret);
    await page.getByRole('link', { name: 'Quotas' }).click();
    await page.getByRole('button', { name: `Edit quota of ${BUCKET}` }).click();
    const alert = page.getByRole('alert');
    await page.getByLabel('Max bytes').fill('-5');
    await page.getByRole('button', { name: 'Save quota' }).click();
    await expect.poll(() => alert.textContent()).toMatch(/^InvalidArgument: not a size: "-5"/);
    await page.getByLabel('Max bytes').fill('');
    await page.getByLabel('Max objects').fill('many');
    await page.getByRole('button', { name: 'Save quota' }).click();
    await expect.poll(() => alert.textContent()).toContain('not a number of objects: "many"');
    const row = page.getByRole('table', { name: 'Bucket quotas' }).getByRole('row', {
      name: new RegExp(BUCKET),
    });
    expect(await row.textContent()).toContain('(no limit)');
    expect(await row.textContent()).not.toMatch(/B of /);
    expect(await put2KiB(s3, 'before')).toBe('');
  }, 60_000);

  it('sets a bucket quota that S3 enforces, then clears it', async () => {
    await page.getByLabel('Max objects').fill('');
    await page.getByLabel('Max bytes').fill('4KiB');
    await page.getByRole('button', { name: 'Save quota' }).click();
    await page.getByText(`Quota of bucket ${BUCKET} saved.`).waitFor();
    const row = page.getByRole('table', { name: 'Bucket quotas' }).getByRole('row', {
      name: new RegExp(BUCKET),
    });
    // The page refreshes every 10 s; usage shows once the counters are flushed.
    await expect.poll(() => row.textContent(), { timeout: 25_000 }).toContain('2.0 KiB of 4.0 KiB');
    await screenshot(page, 'console-quotas');
    // 2 KiB stored, 4 KiB allowed: a second 2 KiB fits, a third does not.
    expect(await put2KiB(s3, 'second')).toBe('');
    expect(await put2KiB(s3, 'third')).toBe('403 QuotaExceeded');
    await page.getByRole('button', { name: `Edit quota of ${BUCKET}` }).click();
    expect(await page.getByLabel('Max bytes').inputValue()).toBe('4096');
    await page.getByRole('button', { name: 'Clear quota' }).click();
    await page.getByText(`Quota of bucket ${BUCKET} cleared.`).waitFor();
    await expect.poll(() => row.textContent()).toContain('(no limit)');
    expect(await put2KiB(s3, 'third')).toBe('');
  }, 60_000);

  it('shows a user its own quota, read-only', async () => {
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Name').fill('bob');
    await page.getByLabel('E-mail').fill('bob@example.com');
    await page.getByRole('button', { name: 'Create user' }).click();
    const keyId = (await page.getByTestId('new-key').textContent()) ?? '';
    const secret = (await page.getByTestId('new-secret').textContent()) ?? '';
    await page.getByRole('button', { name: 'Done, hide it' }).click();
    const bob = await signedInPage(browser, server.url, keyId, secret);
    await bob.getByRole('link', { name: 'Quotas' }).click();
    await bob.getByText('Only the admin changes quotas.').waitFor();
    const users = bob.getByRole('table', { name: 'User quotas' });
    await expect
      .poll(() => users.locator('tbody tr').allTextContents())
      .toEqual([expect.stringContaining(keyId)]);
    expect(await bob.getByRole('button', { name: /Edit quota/ }).count()).toBe(0);
    await screenshot(bob, 'console-quotas-user');
    // The admin API refuses the user a change whatever the page shows.
    const refused = await bob.evaluate(async (key) => {
      const session = (await (await fetch('/console/api/session')).json()) as {
        csrfToken: string;
      };
      const r = await fetch(`/console/api/quota/user/${key}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-cairn-csrf': session.csrfToken },
        body: JSON.stringify({ maxBytes: '1GiB' }),
      });
      return { status: r.status, body: await r.text() };
    }, keyId);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('AccessDenied');
    await bob.close();
  }, 60_000);
});
