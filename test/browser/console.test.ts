/**
 * The operator console in a real browser (Debian's chromium) against a real embedded store:
 * sign-in (wrong keys refused), every page, a user created with its secret shown once, a
 * 50 MiB upload with its progress bar, the download compared byte for byte, a share link,
 * and a user's restricted view: another user's bucket refused, a forged CSRF token refused,
 * an expired session sent back to sign-in. Screenshots of each page go to test-results/.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { s3Client } from '../helpers/s3-client.js';
import { skipWith } from '../helpers/skip.js';
import { missingTool } from '../helpers/tools.js';
import { signIn, signedInPage } from './console-steps.js';

const UPLOAD_BYTES = 50 * 1024 * 1024;

/** How many parts the store holds of the one upload in progress to bucket/key. */
async function partsStored(s3: S3Client, bucket: string, key: string): Promise<number> {
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  const upload = uploads.Uploads?.find((u) => u.Key === key);
  if (!upload) return 0;
  const parts = await s3.send(
    new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: upload.UploadId }),
  );
  return parts.Parts?.length ?? 0;
}

describe('console on the embedded store', skipWith(missingTool('chromium')), () => {
  let server: CairnProcess;
  let browser: Browser;
  let page: Page;
  let dir: string;
  const alice = { keyId: '', secret: '' };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-console-'));
    // Usage samples every second, so the Usage page has something to draw.
    const env = { CAIRN_ACCESS_ARCHIVE_SECONDS: '1', CAIRN_STORAGE_ARCHIVE_SECONDS: '1' };
    server = await startCairn({ env: { ...env, CAIRN_USAGE_FLUSH_SECONDS: '1' } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses wrong keys with a clear message, then signs the admin in', async () => {
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await signIn(page, server.url, server.keyId, 'not-the-secret');
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('Wrong access key or secret');
    await screenshot(page, 'console-sign-in');
    await signIn(page, server.url, server.keyId, server.secret);
    await page.getByRole('heading', { name: 'Cluster' }).waitFor();
    await page.getByRole('cell', { name: 'node1@127.0.0.1' }).first().waitFor();
    const secretInPage = await page.evaluate(
      (s) =>
        document.documentElement.outerHTML.includes(s) || JSON.stringify(localStorage).includes(s),
      server.secret,
    );
    expect(secretInPage).toBe(false);
    await screenshot(page, 'console-cluster');
  });

  it('creates a user, shows its secret once, disables and enables it', async () => {
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Name').fill('alice');
    await page.getByLabel('E-mail').fill('alice@example.com');
    await page.getByRole('button', { name: 'Create user' }).click();
    alice.keyId = (await page.getByTestId('new-key').textContent()) ?? '';
    alice.secret = (await page.getByTestId('new-secret').textContent()) ?? '';
    expect(alice.secret.length).toBeGreaterThan(20);
    await page.getByRole('cell', { name: 'alice@example.com' }).waitFor();
    await screenshot(page, 'console-users');
    await page.getByRole('button', { name: 'Done, hide it' }).click();
    expect(await page.content()).not.toContain(alice.secret);
    const signInAsAlice = () =>
      fetch(`${server.url}/console/api/session`, {
        method: 'POST',
        body: JSON.stringify({ accessKeyId: alice.keyId, secretAccessKey: alice.secret }),
      });
    await page.getByRole('button', { name: 'Disable alice' }).click();
    await page.getByRole('button', { name: 'Enable alice' }).waitFor();
    expect((await signInAsAlice()).status).toBe(403);
    await page.getByRole('button', { name: 'Enable alice' }).click();
    await page.getByRole('button', { name: 'Disable alice' }).waitFor();
    expect((await signInAsAlice()).status).toBe(200);
  });

  it('uploads 50 MiB with a progress bar and downloads it byte for byte', async () => {
    const file = join(dir, 'big.bin');
    const data = randomBytes(UPLOAD_BYTES);
    await writeFile(file, data);
    await page.getByRole('link', { name: 'Buckets', exact: true }).click();
    await page.getByLabel('New bucket').fill('admin-photos');
    await page.getByRole('button', { name: 'Create bucket' }).click();
    await page.getByRole('link', { name: 'admin-photos' }).click();
    await page.getByLabel('File to upload').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    const seen = new Set<number>();
    const bar = page.getByLabel('Upload progress');
    const deadline = Date.now() + 120_000;
    while (!(await page.getByText('Uploaded big.bin.').isVisible()) && Date.now() < deadline) {
      const value = await bar.getAttribute('value').catch(() => null);
      if (value !== null) seen.add(Number(value));
      await page.waitForTimeout(20);
    }
    expect(await page.getByText('Uploaded big.bin.').isVisible()).toBe(true);
    expect([...seen].some((v) => v > 0 && v < 100)).toBe(true);
    expect(await bar.getAttribute('value')).toBe('100');
    await page.locator('td', { hasText: /^big\.bin$/ }).waitFor();
    await screenshot(page, 'console-bucket');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download big.bin' }).click(),
    ]);
    const saved = join(dir, 'downloaded.bin');
    await download.saveAs(saved);
    const hash = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(hash(await readFile(saved))).toBe(hash(data));
  }, 240_000);

  it('resumes a multipart upload after a reload, sending only the missing parts', async () => {
    const file = join(dir, 'resume.bin');
    const data = randomBytes(48 * 1024 * 1024);
    await writeFile(file, data);
    const bar = page.getByLabel('Upload progress');
    // Parts 4 to 6 (of six) never get through: the upload stalls at half, as if cut off.
    const held = (url: URL) =>
      url.pathname.endsWith('/resume.bin') && Number(url.searchParams.get('partNumber')) >= 4;
    await page.route(held, () => undefined);
    await page.getByLabel('File to upload').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await expect
      .poll(async () => Number(await bar.getAttribute('value')), { timeout: 60_000 })
      .toBe(50);
    // Bytes sent are not parts stored: the reload comes once the store has all three.
    const s3 = s3Client(server);
    await expect.poll(() => partsStored(s3, 'admin-photos', 'resume.bin')).toBe(3);
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await page.reload();
    await page.getByText(/Unfinished: resume\.bin/).waitFor();
    await page.getByLabel('File to upload').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    // The parts already stored count at once: progress starts where the reload left it.
    await expect.poll(async () => Number(await bar.getAttribute('value'))).toBeGreaterThan(0);
    const first = Number(await bar.getAttribute('value'));
    expect(first).toBeGreaterThanOrEqual(50);
    await page.getByText('Uploaded resume.bin.').waitFor({ timeout: 120_000 });
    const got = await s3.send(new GetObjectCommand({ Bucket: 'admin-photos', Key: 'resume.bin' }));
    const hash = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    expect(hash(await got.Body!.transformToByteArray())).toBe(hash(data));
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'admin-photos' }));
    expect(uploads.Uploads ?? []).toEqual([]);
    s3.destroy();
    expect(await page.getByText(/Unfinished/).count()).toBe(0);
  }, 240_000);

  it('makes a share link that works without signing in', async () => {
    await page.getByRole('button', { name: 'Share big.bin' }).click();
    await page.getByLabel('Link valid for').selectOption('3600');
    await page.getByRole('button', { name: 'Make link' }).click();
    const link = await page.getByLabel('Link', { exact: true }).inputValue();
    expect(link).toContain('X-Amz-Expires=3600');
    // A presigned GET signs the method: the first byte, by range (an unsigned header).
    const first = await fetch(link, { headers: { range: 'bytes=0-0' } });
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe(`bytes 0-0/${UPLOAD_BYTES}`);
  });

  it('charts storage over time and requests per operation', async () => {
    const charts = page.getByRole('img', { name: /Requests per operation|Bytes stored/ });
    const deadline = Date.now() + 30_000;
    // Samples are archived each second; the page is opened again until both are drawn.
    while ((await charts.count()) < 2 && Date.now() < deadline) {
      await page.getByRole('link', { name: 'Buckets', exact: true }).click();
      await page.getByRole('link', { name: 'Usage', exact: true }).click();
      await page.getByRole('heading', { name: 'Requests per operation' }).waitFor();
      await page.waitForTimeout(1000);
    }
    expect(await charts.count()).toBe(2);
    await screenshot(page, 'console-usage');
  });

  it('keeps a user to its own buckets, refuses a forged CSRF token', async () => {
    const user = await signedInPage(browser, server.url, alice.keyId, alice.secret);
    await user.getByRole('heading', { name: 'Buckets' }).waitFor();
    expect(await user.getByRole('link', { name: 'Cluster' }).count()).toBe(0);
    expect(await user.getByRole('link', { name: 'admin-photos' }).count()).toBe(0);
    await user.goto(`${server.url}/console/#/buckets/admin-photos`);
    await expect
      .poll(() => user.getByRole('alert').first().textContent())
      .toContain('AccessDenied');
    await screenshot(user, 'console-user-refused');
    const forged = await user.evaluate(async () => {
      const r = await fetch('/console/api/s3', {
        method: 'POST',
        headers: { 'x-cairn-csrf': 'forged', 'content-type': 'application/json' },
        body: JSON.stringify({ method: 'PUT', bucket: 'alice-forged' }),
      });
      return { status: r.status, body: await r.text() };
    });
    expect(forged.status).toBe(403);
    expect(forged.body).toContain('CSRF');
    const listed = await fetch(`${server.url}/alice-forged`, { method: 'HEAD' });
    expect(listed.status).toBe(404);
    await user.close();
  });
});

describe('console sessions', skipWith(missingTool('chromium')), () => {
  let server: CairnProcess;
  let browser: Browser;

  beforeAll(async () => {
    server = await startCairn({ args: ['--console-session-idle', '2'] });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  it('sends an expired session back to sign-in, its cookie HttpOnly and Strict', async () => {
    const page = await signedInPage(browser, server.url, server.keyId, server.secret);
    await page.getByRole('heading', { name: 'Cluster' }).waitFor();
    const cookie = (await page.context().cookies()).find((c) => c.name === 'cairn_console');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
    // Past 2 s idle the server has forgotten the session; the page's next refresh (every
    // 3 s) is refused and the page goes back to sign-in.
    await page.getByText('Your session has ended: sign in again.').waitFor();
    await page.getByLabel('Access key').waitFor();
    await screenshot(page, 'console-session-ended');
    await page.close();
  });
});
