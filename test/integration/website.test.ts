/**
 * Static websites from buckets against a real `cairn start --website-host-base web.test`:
 * the ?website configuration over the REST endpoint (S3 XML errors, nothing stored on bad
 * input), x-amz-website-redirect-location on objects, and the website endpoint (anonymous
 * GET/HEAD, index and error documents, routing rules, redirects, HTML errors, never XML).
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteBucketWebsiteCommand,
  GetBucketWebsiteCommand,
  HeadObjectCommand,
  PutBucketAclCommand,
  PutBucketWebsiteCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
  type WebsiteConfiguration,
} from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { s3ErrorOf } from '../helpers/s3-errors.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { skipWith } from '../helpers/skip.js';
import { missingTool } from '../helpers/tools.js';
import { websiteRequest } from '../helpers/website.js';

let server: CairnProcess;
let s3: S3Client;

useCairn(
  { buckets: ['site', 'bare', 'config', 'plain'], args: ['--website-host-base', 'web.test'] },
  (started) => ({ server, s3 } = started),
);

const web = (bucket: string, path: string, options?: Parameters<typeof websiteRequest>[3]) =>
  websiteRequest(server.port, `${bucket}.web.test:${server.port}`, path, options);

async function put(bucket: string, key: string, body: string, extra: object = {}) {
  const type = key.endsWith('.html') ? 'text/html' : 'text/plain';
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: type, ...extra }),
  );
}

const SITE: WebsiteConfiguration = {
  IndexDocument: { Suffix: 'index.html' },
  ErrorDocument: { Key: 'errors/404.html' },
  RoutingRules: [
    { Condition: { KeyPrefixEquals: 'old/' }, Redirect: { ReplaceKeyPrefixWith: 'new/' } },
    {
      Condition: { KeyPrefixEquals: 'img/', HttpErrorCodeReturnedEquals: '404' },
      Redirect: { HostName: 'cdn.example.com', Protocol: 'https', HttpRedirectCode: '307' },
    },
  ],
};

describe('?website on the REST endpoint', () => {
  it('stores, returns, deletes a configuration; none: NoSuchWebsiteConfiguration', async () => {
    const get = () => s3.send(new GetBucketWebsiteCommand({ Bucket: 'config' }));
    expect(await s3ErrorOf(get())).toEqual({ name: 'NoSuchWebsiteConfiguration', status: 404 });
    await s3.send(new PutBucketWebsiteCommand({ Bucket: 'config', WebsiteConfiguration: SITE }));
    const got = await get();
    expect(got.IndexDocument).toEqual(SITE.IndexDocument);
    expect(got.ErrorDocument).toEqual(SITE.ErrorDocument);
    expect(got.RoutingRules).toEqual(SITE.RoutingRules);
    await s3.send(new DeleteBucketWebsiteCommand({ Bucket: 'config' }));
    expect(await s3ErrorOf(get())).toEqual({ name: 'NoSuchWebsiteConfiguration', status: 404 });
  });

  it('refuses bad documents with S3 XML errors and changes nothing', async () => {
    const kept = { IndexDocument: { Suffix: 'kept.html' } };
    await s3.send(new PutBucketWebsiteCommand({ Bucket: 'config', WebsiteConfiguration: kept }));
    const bodies: [string, string][] = [
      ['<WebsiteConfiguration><IndexDocument>', 'MalformedXML'],
      [
        '<WebsiteConfiguration><IndexDocument><Suffix>i</Suffix></IndexDocument><RoutingRules>' +
          '<RoutingRule><Condition><KeyPrefixEquals>a</KeyPrefixEquals></Condition>' +
          '</RoutingRule></RoutingRules></WebsiteConfiguration>',
        'MalformedXML',
      ],
      ['<WebsiteConfiguration></WebsiteConfiguration>', 'InvalidArgument'],
    ];
    for (const [body, code] of bodies) {
      const res = await signedFetch(server.url, '/config?website', {
        method: 'PUT',
        body,
        credentials: server,
      });
      expect(res.status, body).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/xml');
      expect(await res.text()).toContain(`<Code>${code}</Code>`);
    }
    const got = await s3.send(new GetBucketWebsiteCommand({ Bucket: 'config' }));
    expect(got.IndexDocument).toEqual(kept.IndexDocument);
    const anonymous = await fetch(`${server.url}/config?website`, { method: 'DELETE' });
    expect(anonymous.status).toBe(403);
    expect(
      (await s3.send(new GetBucketWebsiteCommand({ Bucket: 'config' }))).IndexDocument,
    ).toEqual(kept.IndexDocument);
  });
});

describe('x-amz-website-redirect-location', () => {
  it('is kept by PUT, copy and multipart, returned on HEAD, and checked', async () => {
    const Bucket = 'config';
    await put(Bucket, 'r1', 'x', { WebsiteRedirectLocation: '/elsewhere.html' });
    const head = (Key: string) => s3.send(new HeadObjectCommand({ Bucket, Key }));
    expect((await head('r1')).WebsiteRedirectLocation).toBe('/elsewhere.html');
    // A copy never takes its source's redirect (AWS), only the one it names.
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'r2', CopySource: `${Bucket}/r1` }));
    expect((await head('r2')).WebsiteRedirectLocation).toBeUndefined();
    await s3.send(
      new CopyObjectCommand({
        Bucket,
        Key: 'r1',
        CopySource: `${Bucket}/r1`,
        WebsiteRedirectLocation: 'https://example.com/',
      }),
    );
    expect((await head('r1')).WebsiteRedirectLocation).toBe('https://example.com/');
    const upload = await s3.send(
      new CreateMultipartUploadCommand({ Bucket, Key: 'r3', WebsiteRedirectLocation: '/m' }),
    );
    const part = await s3.send(
      new UploadPartCommand({
        Bucket,
        Key: 'r3',
        UploadId: upload.UploadId,
        PartNumber: 1,
        Body: 'p',
      }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key: 'r3',
        UploadId: upload.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    expect((await head('r3')).WebsiteRedirectLocation).toBe('/m');
    const bad = put(Bucket, 'r4', 'x', { WebsiteRedirectLocation: 'elsewhere' });
    expect(await s3ErrorOf(bad)).toEqual({ name: 'InvalidRedirectLocation', status: 400 });
    expect(await s3ErrorOf(head('r4'))).toMatchObject({ status: 404 });
  });
});

describe('the website endpoint', () => {
  const pub = { ACL: 'public-read' as const };

  it('serves the index document, folders and Content-Type; HEAD has no body', async () => {
    await s3.send(new PutBucketAclCommand({ Bucket: 'site', ACL: 'public-read' }));
    await put('site', 'index.html', '<h1>home</h1>', pub);
    await put('site', 'docs/index.html', '<h1>docs</h1>', pub);
    await put('site', 'notes.txt', 'plain', pub);
    await s3.send(new PutBucketWebsiteCommand({ Bucket: 'site', WebsiteConfiguration: SITE }));
    const home = await web('site', '/');
    expect(home).toMatchObject({ status: 200, body: '<h1>home</h1>' });
    expect(home.headers['content-type']).toBe('text/html');
    expect((await web('site', '/docs/')).body).toBe('<h1>docs</h1>');
    expect(await web('site', '/docs')).toMatchObject({ status: 302 });
    expect((await web('site', '/docs')).headers.location).toBe('/docs/');
    const text = await web('site', '/notes.txt');
    expect(text.headers['content-type']).toBe('text/plain');
    const head = await web('site', '/', { method: 'HEAD' });
    expect(head).toMatchObject({ status: 200, body: '' });
    expect(head.headers['content-length']).toBe(String('<h1>home</h1>'.length));
  });

  it('answers a missing key with the error document and its 404', async () => {
    // Before the error document exists: AWS's page, naming both failures, the key escaped.
    const missing = await web('site', '/%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    expect(missing.status).toBe(404);
    expect(missing.headers['x-amz-error-code']).toBe('NoSuchKey');
    expect(missing.body).toContain('<li>Key: &lt;script&gt;alert(1)&lt;/script&gt;</li>');
    expect(missing.body).toContain('Retrieve a Custom Error Document');
    expect(missing.body).not.toContain('<script>');
    await put('site', 'errors/404.html', '<h1>not here</h1>', pub);
    const custom = await web('site', '/nope.html');
    expect(custom).toMatchObject({ status: 404, body: '<h1>not here</h1>' });
    expect(custom.headers['x-amz-error-code']).toBe('NoSuchKey');
    expect(custom.headers['content-type']).toBe('text/html');
  });

  it('follows routing rules and object redirects', async () => {
    const old = await web('site', '/old/page.html');
    expect(old.status).toBe(301);
    expect(old.headers.location).toBe(`http://site.web.test:${server.port}/new/page.html`);
    const img = await web('site', '/img/logo.png');
    expect(img.status).toBe(307);
    expect(img.headers.location).toBe('https://cdn.example.com/img/logo.png');
    await put('site', 'moved.html', 'x', { ...pub, WebsiteRedirectLocation: '/docs/' });
    const moved = await web('site', '/moved.html');
    expect(moved).toMatchObject({ status: 301, body: '' });
    expect(moved.headers.location).toBe('/docs/');
    await s3.send(
      new PutBucketWebsiteCommand({
        Bucket: 'bare',
        WebsiteConfiguration: { RedirectAllRequestsTo: { HostName: 'example.com' } },
      }),
    );
    const all = await web('bare', '/a/b.html');
    expect(all.status).toBe(301);
    expect(all.headers.location).toBe('http://example.com/a/b.html');
  });

  it('refuses private objects, other methods, unknown buckets as HTML pages', async () => {
    const Bucket = 'bare';
    await s3.send(
      new PutBucketWebsiteCommand({
        Bucket,
        WebsiteConfiguration: { IndexDocument: { Suffix: 'i' } },
      }),
    );
    await put(Bucket, 'secret.html', 'secret');
    const expectPage = (
      answer: { status: number; headers: object; body: string },
      code: string,
    ) => {
      expect(answer.headers).toMatchObject({ 'x-amz-error-code': code });
      expect(answer.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8' });
      expect(answer.body).toContain(`<li>Code: ${code}</li>`);
      expect(answer.body).not.toContain('<?xml');
    };
    const secret = await web(Bucket, '/secret.html');
    expect(secret.status).toBe(403);
    expectPage(secret, 'AccessDenied');
    expect(secret.body).not.toContain('secret</');
    // Signed or not, a website request is anonymous.
    const signed = await web(Bucket, '/secret.html', { headers: { authorization: 'AWS x:y' } });
    expect(signed.status).toBe(403);
    const putting = await web(Bucket, '/new.html', { method: 'PUT', body: 'x' });
    expect(putting.status).toBe(405);
    expectPage(putting, 'MethodNotAllowed');
    expect(
      await s3ErrorOf(s3.send(new HeadObjectCommand({ Bucket, Key: 'new.html' }))),
    ).toMatchObject({ status: 404 });
    const deleting = await web(Bucket, '/secret.html', { method: 'DELETE' });
    expect(deleting.status).toBe(405);
    expect(
      (await s3.send(new HeadObjectCommand({ Bucket, Key: 'secret.html' }))).ContentLength,
    ).toBe(6);
    const unknown = await web('no-such-bucket', '/');
    expect(unknown.status).toBe(404);
    expectPage(unknown, 'NoSuchBucket');
    const unconfigured = await web('plain', '/');
    expect(unconfigured.status).toBe(404);
    expectPage(unconfigured, 'NoSuchWebsiteConfiguration');
  });

  it('leaves the REST endpoint as it was for the same bucket', async () => {
    const rest = await fetch(`${server.url}/site/index.html`);
    expect(rest.status).toBe(200);
    const missing = await fetch(`${server.url}/site/nope.html`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('<Code>NoSuchKey</Code>');
  });

  it('keeps /console/ for the bucket when the Host names one; the console elsewhere', async () => {
    await put('site', 'console/index.html', '<h1>our console page</h1>', pub);
    expect((await web('site', '/console/')).body).toBe('<h1>our console page</h1>');
    const virtualHost = `site.s3.amazonaws.com:${server.port}`;
    const viaHost = await websiteRequest(server.port, virtualHost, '/console/index.html');
    expect(viaHost).toMatchObject({ status: 200, body: '<h1>our console page</h1>' });
    const own = await fetch(`${server.url}/console/`);
    expect(own.status).toBe(200);
    expect(await own.text()).not.toContain('our console page');
  });
});

describe('real clients', () => {
  const clientEnv = () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.AWS_CA_BUNDLE;
    return {
      ...env,
      AWS_ACCESS_KEY_ID: server.keyId,
      AWS_SECRET_ACCESS_KEY: server.secret,
      AWS_DEFAULT_REGION: 'us-east-1',
    };
  };
  const run = (command: string, args: string[]) =>
    promisify(execFile)(command, args, { env: clientEnv(), timeout: 60_000 });

  it('aws s3 website configures a bucket', skipWith(missingTool('aws')), async () => {
    await run('/usr/bin/aws', [
      '--endpoint-url',
      server.url,
      's3',
      'website',
      's3://config',
      '--index-document',
      'home.html',
      '--error-document',
      'oops.html',
    ]);
    const got = await s3.send(new GetBucketWebsiteCommand({ Bucket: 'config' }));
    expect(got.IndexDocument).toEqual({ Suffix: 'home.html' });
    expect(got.ErrorDocument).toEqual({ Key: 'oops.html' });
  });

  it(
    'boto3 put_bucket_website and get_bucket_website',
    skipWith(missingTool('boto3')),
    async () => {
      const script = [
        'import boto3, json, sys',
        "s3 = boto3.client('s3', endpoint_url=sys.argv[1])",
        "s3.put_bucket_website(Bucket='config', WebsiteConfiguration={",
        "  'IndexDocument': {'Suffix': 'index.html'},",
        "  'RoutingRules': [{'Condition': {'HttpErrorCodeReturnedEquals': '404'},",
        "                    'Redirect': {'ReplaceKeyWith': 'gone.html'}}]})",
        "got = s3.get_bucket_website(Bucket='config')",
        "print(json.dumps(got['RoutingRules']))",
      ].join('\n');
      const { stdout } = await run('/usr/bin/python3', ['-c', script, server.url]);
      expect(JSON.parse(stdout)).toEqual([
        {
          Condition: { HttpErrorCodeReturnedEquals: '404' },
          Redirect: { ReplaceKeyWith: 'gone.html' },
        },
      ]);
    },
  );
});
