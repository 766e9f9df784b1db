/**
 * Malformed and hostile requests: each gets an S3 error or a closed connection, never a
 * crash, never a 500, never a half-written object that readers can see.
 */
import {
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListBucketsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { signV4 } from '../../src/auth/sigv4-client.js';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { signedHead } from '../helpers/raw-http.js';
import { signedFetch } from '../helpers/signed-fetch.js';

let server: CairnProcess;
let s3: S3Client;

useCairn({ buckets: ['target'] }, (started) => ({ server, s3 } = started));

async function expectAlive() {
  const list = await s3.send(new ListBucketsCommand({}));
  expect(list.Buckets?.some((b) => b.Name === 'target')).toBe(true);
}

async function codeOf(res: Response): Promise<string | undefined> {
  return /<Code>([^<]*)<\/Code>/.exec(await res.text())?.[1];
}

/** Writes raw bytes on a socket and resolves with what came back before it closed. */
function rawExchange(bytes: Buffer, options: { endAfterMs: number }): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(server.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('error', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.write(bytes);
    setTimeout(() => socket.destroy(), options.endAfterMs);
  });
}

describe('hostile input', () => {
  it('refuses malformed XML and XML with DOCTYPE or entities', async () => {
    for (const body of [
      '<CreateBucketConfiguration><LocationConstraint>',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>' +
        '<CreateBucketConfiguration><LocationConstraint>&a;</LocationConstraint>' +
        '</CreateBucketConfiguration>',
      '<NotAConfiguration/>',
    ]) {
      const res = await signedFetch(server.url, '/xml-bucket', {
        method: 'PUT',
        body,
        credentials: server,
      });
      expect(res.status, body).toBe(400);
      expect(await codeOf(res)).toBe('MalformedXML');
    }
    const head = await signedFetch(server.url, '/xml-bucket', {
      method: 'HEAD',
      credentials: server,
    });
    expect(head.status).toBe(404);
  });

  it('caps the XML body of every operation that reads one (MaxMessageLengthExceeded)', async () => {
    const upload = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'target', Key: 'capped' }),
    );
    const uploadId = encodeURIComponent(upload.UploadId!);
    const kib = 1024;
    const cases: [string, string, number][] = [
      ['PUT', '/capped-bucket', 65 * kib],
      ['PUT', '/target?versioning', 17 * kib],
      ['PUT', '/target?tagging', 65 * kib],
      ['PUT', '/target/capped?tagging', 65 * kib],
      ['PUT', '/target?cors', 65 * kib],
      ['POST', '/target?delete', 8 * kib * kib + 1],
      ['POST', `/target/capped?uploadId=${uploadId}`, 8 * kib * kib + 1],
    ];
    for (const [method, path, bytes] of cases) {
      const body = Buffer.from(`<X>${' '.repeat(bytes)}</X>`);
      const headers = { 'content-md5': createHash('md5').update(body).digest('base64') };
      const res = await signedFetch(server.url, path, {
        method,
        headers,
        body,
        credentials: server,
      });
      expect(res.status, path).toBe(400);
      expect(await codeOf(res), path).toBe('MaxMessageLengthExceeded');
    }
    await expectAlive();
  });

  it('refuses keys over 1024 bytes and invalid bucket names', async () => {
    const longKey = '/target/' + 'k'.repeat(1025);
    const res = await signedFetch(server.url, longKey, {
      method: 'PUT',
      body: 'x',
      credentials: server,
    });
    expect(res.status).toBe(400);
    expect(await codeOf(res)).toBe('KeyTooLongError');
    const bad = await signedFetch(server.url, '/Bad_Name', { method: 'PUT', credentials: server });
    expect(await codeOf(bad)).toBe('InvalidBucketName');
  });

  it('counts the 1,024-byte key limit in UTF-8 bytes, not characters', async () => {
    const fits = await signedFetch(server.url, `/target/${'k'.repeat(1024)}`, {
      method: 'PUT',
      body: 'x',
      credentials: server,
    });
    expect(fits.status).toBe(200);
    // 513 two-byte characters: 1,026 bytes.
    const wide = await signedFetch(
      server.url,
      `/target/${encodeURIComponent('\u00e9'.repeat(513))}`,
      {
        method: 'PUT',
        body: 'x',
        credentials: server,
      },
    );
    expect(await codeOf(wide)).toBe('KeyTooLongError');
  });

  it('refuses user metadata over 2 KiB (MetadataTooLarge) and stores nothing', async () => {
    const res = await signedFetch(server.url, '/target/big-meta', {
      method: 'PUT',
      headers: { 'x-amz-meta-a': 'a'.repeat(1500), 'x-amz-meta-b': 'b'.repeat(1000) },
      body: 'x',
      credentials: server,
    });
    expect(res.status).toBe(400);
    expect(await codeOf(res)).toBe('MetadataTooLarge');
    const got = s3.send(new GetObjectCommand({ Bucket: 'target', Key: 'big-meta' }));
    await expect(got).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('answers 431 to request headers over 16 KiB, signed or not', async () => {
    const head = signedHead(server, 'GET', '/target', { 'x-amz-meta-pad': 'p'.repeat(17 * 1024) });
    const answer = await rawExchange(Buffer.from(head), { endAfterMs: 2000 });
    expect(answer).toMatch(/^HTTP\/1.1 431/);
    await expectAlive();
  });

  it('answers broken percent-encoding and oversized headers without crashing', async () => {
    const broken = await signedFetch(server.url, '/target/%E0%A4%A', { credentials: server });
    expect(broken.status).toBe(400);
    const huge = await rawExchange(
      Buffer.from(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`),
      { endAfterMs: 2000 },
    );
    expect(huge === '' || /^HTTP\/1.1 4\d\d/.test(huge)).toBe(true);
    await expectAlive();
  });

  it('refuses a key with C1 control characters: InvalidURI, as S3 words it', async () => {
    const key = encodeURIComponent('\u00ae\u008a-');
    for (const method of ['GET', 'PUT']) {
      const res = await signedFetch(server.url, `/target/${key}`, {
        method,
        credentials: server,
        ...(method === 'PUT' ? { body: 'x' } : {}),
      });
      expect(res.status, method).toBe(400);
      const text = (await res.text()).replaceAll('&apos;', "'");
      expect(text).toContain('<Code>InvalidURI</Code>');
      expect(text).toContain("<Message>Couldn't parse the specified URI.</Message>");
    }
    await expectAlive();
  });

  it('answers NotImplemented for sub-resources it does not serve', async () => {
    // ?versioning, ?lifecycle and ?website are served now; logging is not.
    for (const path of ['/target?logging']) {
      const res = await signedFetch(server.url, path, { credentials: server });
      expect(res.status).toBe(501);
      expect(await codeOf(res)).toBe('NotImplemented');
    }
  });

  it('never shows an object whose upload was cut off mid-body', async () => {
    const total = 3 * 1024 * 1024;
    const path = '/target/truncated';
    const host = `127.0.0.1:${server.port}`;
    const signed = signV4(
      {
        method: 'PUT',
        url: path,
        headers: { host, 'content-length': String(total) },
        payloadSha256Hex: 'UNSIGNED-PAYLOAD',
      },
      { accessKeyId: server.keyId, secretAccessKey: server.secret },
      'us-east-1',
      Date.now(),
    );
    const head = [
      `PUT ${path} HTTP/1.1`,
      `host: ${host}`,
      `content-length: ${total}`,
      ...Object.entries(signed).map(([k, v]) => `${k}: ${v}`),
      '',
      '',
    ].join('\r\n');
    await rawExchange(Buffer.concat([Buffer.from(head), Buffer.alloc(total / 2, 1)]), {
      endAfterMs: 500,
    });
    await new Promise((r) => setTimeout(r, 200));
    const got = s3.send(new GetObjectCommand({ Bucket: 'target', Key: 'truncated' }));
    await expect(got).rejects.toMatchObject({ name: 'NoSuchKey' });
    await expectAlive();
  });

  it('refuses a body whose signed SHA-256 does not match', async () => {
    const path = '/target/tampered';
    const url = new URL(path, server.url);
    const signed = signV4(
      {
        method: 'PUT',
        url: path,
        headers: { host: url.host },
        payloadSha256Hex: createHash('sha256').update('the signed body').digest('hex'),
      },
      { accessKeyId: server.keyId, secretAccessKey: server.secret },
      'us-east-1',
      Date.now(),
    );
    const res = await fetch(url, {
      method: 'PUT',
      headers: { host: url.host, ...signed },
      body: 'another body',
    });
    expect(res.status).toBe(400);
    expect(await codeOf(res)).toBe('XAmzContentSHA256Mismatch');
    const got = s3.send(new GetObjectCommand({ Bucket: 'target', Key: 'tampered' }));
    await expect(got).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('refuses a PUT without Content-Length', async () => {
    const res = await rawExchange(
      Buffer.from(
        'PUT /target/nolength HTTP/1.1\r\nHost: x\r\nAuthorization: AWS a:b\r\n' +
          'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      ),
      { endAfterMs: 1500 },
    );
    expect(res).toMatch(/^HTTP\/1.1 (400|403|411)/);
    await expectAlive();
  });
});
