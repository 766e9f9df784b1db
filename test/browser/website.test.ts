/**
 * A static website in a real browser: Debian's chromium (playwright-core) reaches a real
 * `cairn start --website-host-base web.test` as http://site.web.test:PORT/ (the resolver
 * rule maps *.web.test to loopback, no proxy), loads a page with CSS, a script and an image,
 * follows a routing rule's redirect, and gets the bucket's own 404 page. Screenshots are
 * saved under test-results/screenshots/.
 */
import { PutBucketAclCommand, PutBucketWebsiteCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { skipWith } from '../helpers/skip.js';
import { missingTool } from '../helpers/tools.js';

const skip = missingTool('chromium');
let server: CairnProcess;
let s3: S3Client;
let browser: Browser | undefined;

useCairn(
  { buckets: ['site'], args: ['--website-host-base', 'web.test'] },
  (started) => ({ server, s3 } = started),
);

/** An 8×8 PNG of one colour, rgb(32, 96, 192). */
const LOGO_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGNQSDiAFTEMLQkAGplQAT43V5gAAAAA' +
    'SUVORK5CYII=',
  'base64',
);

const FILES: Record<string, [string | Buffer, string]> = {
  'index.html': [
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Cairn site</title>' +
      '<link rel="stylesheet" href="/css/site.css"></head><body>' +
      '<h1 id="title">Served from a bucket</h1><p id="status">script has not run</p>' +
      '<img id="logo" src="/img/logo.png" alt="logo" width="64" height="64">' +
      '<script src="/js/app.js"></script></body></html>',
    'text/html',
  ],
  'css/site.css': ['h1 { color: rgb(0, 128, 0); font-family: sans-serif; }', 'text/css'],
  'js/app.js': [
    "document.getElementById('status').textContent = 'script ran';",
    'application/javascript',
  ],
  'img/logo.png': [LOGO_PNG, 'image/png'],
  'new/page.html': ['<!DOCTYPE html><title>New</title><h1>The new page</h1>', 'text/html'],
  'errors/404.html': [
    '<!DOCTYPE html><title>Lost</title><h1 id="lost">This page is not in the bucket</h1>',
    'text/html',
  ],
};

const siteUrl = (path: string) => `http://site.web.test:${server.port}${path}`;

async function publish(): Promise<void> {
  // Public listing makes a missing key 404 (not 403), as on AWS.
  await s3.send(new PutBucketAclCommand({ Bucket: 'site', ACL: 'public-read' }));
  for (const [Key, [Body, ContentType]] of Object.entries(FILES)) {
    await s3.send(
      new PutObjectCommand({ Bucket: 'site', Key, Body, ContentType, ACL: 'public-read' }),
    );
  }
  await s3.send(
    new PutBucketWebsiteCommand({
      Bucket: 'site',
      WebsiteConfiguration: {
        IndexDocument: { Suffix: 'index.html' },
        ErrorDocument: { Key: 'errors/404.html' },
        RoutingRules: [
          { Condition: { KeyPrefixEquals: 'old/' }, Redirect: { ReplaceKeyPrefixWith: 'new/' } },
        ],
      },
    }),
  );
}

async function newPage(): Promise<Page> {
  return browser!.newPage({ viewport: { width: 800, height: 600 } });
}

describe('a website in chromium', skipWith(skip), () => {
  beforeAll(async () => {
    await publish();
    browser = await launchBrowser(['--host-resolver-rules=MAP *.web.test 127.0.0.1']);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('loads HTML, CSS, a script and an image', async () => {
    const page = await newPage();
    const answer = await page.goto(siteUrl('/'));
    expect(answer?.status()).toBe(200);
    expect(await page.title()).toBe('Cairn site');
    const color = await page.$eval('#title', (h1) => getComputedStyle(h1).color);
    expect(color).toBe('rgb(0, 128, 0)');
    await page.waitForFunction(
      () => document.getElementById('status')?.textContent === 'script ran',
      undefined,
      { timeout: 10_000 },
    );
    const image = await page.$eval('#logo', async (img) => {
      const element = img as HTMLImageElement;
      await element.decode();
      return { width: element.naturalWidth, height: element.naturalHeight };
    });
    expect(image).toEqual({ width: 8, height: 8 });
    await screenshot(page, 'website-home');
    await page.close();
  });

  it('follows a routing rule to the new page', async () => {
    const page = await newPage();
    const answer = await page.goto(siteUrl('/old/page.html'));
    expect(answer?.status()).toBe(200);
    expect(page.url()).toBe(siteUrl('/new/page.html'));
    expect(await page.textContent('h1')).toBe('The new page');
    const first = answer?.request().redirectedFrom();
    expect(first?.url()).toBe(siteUrl('/old/page.html'));
    expect((await first?.response())?.status()).toBe(301);
    await screenshot(page, 'website-redirected');
    await page.close();
  });

  it("gets the bucket's own 404 page", async () => {
    const page = await newPage();
    const answer = await page.goto(siteUrl('/no/such/page.html'));
    expect(answer?.status()).toBe(404);
    expect(await page.textContent('#lost')).toBe('This page is not in the bucket');
    expect(answer?.headers()['x-amz-error-code']).toBe('NoSuchKey');
    await screenshot(page, 'website-404');
    await page.close();
  });
});
