/**
 * Never a wrong success, against a real `cairn start` with raw signed requests: every
 * operation that writes object data refuses the encryption headers it does not act on (501
 * NotImplemented, naming the header) and stores nothing. SSE-S3 without a kms key file is
 * NotImplemented, SSE-C (here, as on GET and HEAD) is refused over plain HTTP with AWS's 400
 * InvalidRequest, and a part upload given x-amz-server-side-encryption answers AWS's 400
 * InvalidArgument (its encryption is the upload's); object-lock headers are refused the
 * same way by the writes that do not act on them, and by those that do on a bucket without
 * object lock (400 InvalidRequest); CreateBucket acts on object lock
 * (true or false, anything else InvalidArgument); a storage class other than
 * STANDARD is refused; headers hoisted into the query count; and the headers that are acted
 * on instead (x-amz-expected-bucket-owner, If-Match on DELETE, bypass-governance on
 * deletes) do what S3 does.
 */
import {
  CreateMultipartUploadCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { openSocket, signedHead } from '../helpers/raw-http.js';
import { signedFetch } from '../helpers/signed-fetch.js';

let server: CairnProcess;
let s3: S3Client;

useCairn({ buckets: ['hdr'] }, (started) => ({ server, s3 } = started));

/** A signed request; a PUT or POST to an object carries a few bytes of body. */
function send(path: string, options: { method?: string; headers?: Record<string, string> } = {}) {
  const toObject = path.split('?')[0]!.indexOf('/', 1) > 0;
  const writes = options.method === 'PUT' || options.method === 'POST';
  const body = writes && toObject ? 'data' : '';
  return signedFetch(server.url, path, { ...options, body, credentials: server });
}

async function errorOf(res: Response) {
  const text = await res.text();
  const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];
  return { status: res.status, code: field('Code'), header: field('Header'), text };
}

/** What a write answers: lock headers on a bucket without object lock are InvalidRequest. */
function refusalOf(headers: Record<string, string>) {
  return Object.keys(headers).some((name) => name.startsWith('x-amz-object-lock-'))
    ? { status: 400, code: 'InvalidRequest' }
    : { status: 501, code: 'NotImplemented' };
}

/**
 * What a part upload answers: its encryption is the upload's, so the SSE header is AWS's
 * InvalidArgument (a KMS value too); an SSE-C key is refused over plain HTTP as on every
 * write; the rest (KMS's other headers, lock) is NotImplemented.
 */
function partRefusalOf(headers: Record<string, string>) {
  if (headers['x-amz-server-side-encryption'] !== undefined) {
    return { status: 400, code: 'InvalidArgument' };
  }
  if (Object.keys(headers).some((name) => name.includes('-customer-'))) {
    return { status: 400, code: 'InvalidRequest' };
  }
  return { status: 501, code: 'NotImplemented' };
}

async function exists(path: string): Promise<boolean> {
  const res = await send(path, { method: 'HEAD' });
  return res.status === 200;
}

const SSE_AND_LOCK: Record<string, string>[] = [
  { 'x-amz-server-side-encryption': 'AES256' },
  { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': 'k' },
  { 'x-amz-server-side-encryption-bucket-key-enabled': 'true' },
  { 'x-amz-server-side-encryption-context': 'e30=' },
  {
    'x-amz-server-side-encryption-customer-algorithm': 'AES256',
    'x-amz-server-side-encryption-customer-key': Buffer.alloc(32, 1).toString('base64'),
    'x-amz-server-side-encryption-customer-key-md5': createHash('md5')
      .update(Buffer.alloc(32, 1))
      .digest('base64'),
  },
  { 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': '2030-01-01' },
  { 'x-amz-object-lock-legal-hold': 'ON' },
  { 'x-amz-bypass-governance-retention': 'true' },
];

describe('writes refuse encryption and object lock, storing nothing', () => {
  it('PutObject (and the headers S3 has no equivalent for here)', async () => {
    const others: Record<string, string>[] = [
      { 'x-amz-write-offset-bytes': '0' },
      { 'x-amz-checksum-sha512': Buffer.alloc(64).toString('base64') },
    ];
    for (const [i, headers] of [...SSE_AND_LOCK, ...others].entries()) {
      const res = await send(`/hdr/put-${i}`, { method: 'PUT', headers });
      const error = await errorOf(res);
      if (headers['x-amz-server-side-encryption-customer-key'] !== undefined) {
        // Served over HTTPS (or with --allow-sse-c-over-http): sse-encryption.test.ts.
        expect(error).toMatchObject({ status: 400, code: 'InvalidRequest' });
        expect(await exists(`/hdr/put-${i}`)).toBe(false);
        continue;
      }
      expect(error, JSON.stringify(headers)).toMatchObject(refusalOf(headers));
      if (error.status === 501) expect(Object.keys(headers)).toContain(error.header);
      expect(await exists(`/hdr/put-${i}`)).toBe(false);
    }
  });

  it('a storage class: STANDARD is stored, an unknown one is InvalidStorageClass', async () => {
    const standard = await send('/hdr/std', {
      method: 'PUT',
      headers: { 'x-amz-storage-class': 'STANDARD' },
    });
    expect(standard.status).toBe(200);
    const unknown = await send('/hdr/odd', {
      method: 'PUT',
      headers: { 'x-amz-storage-class': 'SHINY' },
    });
    expect(await errorOf(unknown)).toMatchObject({ status: 400, code: 'InvalidStorageClass' });
    expect(await exists('/hdr/odd')).toBe(false);
  });

  it('headers hoisted into a presigned-style query string count', async () => {
    const res = await send('/hdr/hoisted?x-amz-server-side-encryption=AES256', { method: 'PUT' });
    expect(await errorOf(res)).toMatchObject({ status: 501, code: 'NotImplemented' });
    expect(await exists('/hdr/hoisted')).toBe(false);
  });

  it('CopyObject, with SSE for the copy or SSE-C for its source', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'hdr', Key: 'src', Body: 'source' }));
    const sourceSseC = {
      'x-amz-copy-source-server-side-encryption-customer-algorithm': 'AES256',
    };
    for (const [i, headers] of [...SSE_AND_LOCK, sourceSseC].entries()) {
      const res = await send(`/hdr/copy-${i}`, {
        method: 'PUT',
        headers: { 'x-amz-copy-source': '/hdr/src', ...headers },
      });
      if (Object.keys(headers).some((name) => name.includes('-customer-'))) {
        // SSE-C, of the copy or of its source: refused over plain HTTP, as on AWS.
        expect(await errorOf(res)).toMatchObject({ status: 400, code: 'InvalidRequest' });
        expect(await exists(`/hdr/copy-${i}`)).toBe(false);
        continue;
      }
      expect(await errorOf(res), JSON.stringify(headers)).toMatchObject(refusalOf(headers));
      expect(await exists(`/hdr/copy-${i}`)).toBe(false);
    }
  });

  it('CreateMultipartUpload starts no upload', async () => {
    for (const headers of SSE_AND_LOCK) {
      const res = await send('/hdr/mpu?uploads', { method: 'POST', headers });
      const sseC = Object.keys(headers).some((name) => name.includes('-customer-'));
      // SSE-C is served on multipart uploads (over HTTPS): sse-multipart.test.ts.
      const expected = sseC ? { status: 400, code: 'InvalidRequest' } : refusalOf(headers);
      expect(await errorOf(res), JSON.stringify(headers)).toMatchObject(expected);
    }
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'hdr' }));
    expect(uploads.Uploads ?? []).toEqual([]);
  });

  it('UploadPart and UploadPartCopy store no part', async () => {
    const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'hdr', Key: 'parts' }));
    const id = encodeURIComponent(upload.UploadId!);
    for (const headers of SSE_AND_LOCK) {
      const part = await send(`/hdr/parts?partNumber=1&uploadId=${id}`, { method: 'PUT', headers });
      expect(await errorOf(part), JSON.stringify(headers)).toMatchObject(partRefusalOf(headers));
      const copy = await send(`/hdr/parts?partNumber=2&uploadId=${id}`, {
        method: 'PUT',
        headers: { 'x-amz-copy-source': '/hdr/src', ...headers },
      });
      expect(await errorOf(copy), JSON.stringify(headers)).toMatchObject(partRefusalOf(headers));
    }
    const parts = await s3.send(
      new ListPartsCommand({ Bucket: 'hdr', Key: 'parts', UploadId: upload.UploadId! }),
    );
    expect(parts.Parts ?? []).toEqual([]);
  });

  it('GET and HEAD with SSE-C headers over plain HTTP: 400 InvalidRequest, as AWS', async () => {
    const headers = { 'x-amz-server-side-encryption-customer-algorithm': 'AES256' };
    const get = await send('/hdr/src', { headers });
    expect(await errorOf(get)).toMatchObject({ status: 400, code: 'InvalidRequest' });
    const head = await send('/hdr/src', { method: 'HEAD', headers });
    expect(head.status).toBe(400);
  });
});

describe('Expect: 100-continue', () => {
  it('refuses an unsupported header before inviting the body (no 100 Continue)', async () => {
    const watched = await openSocket(server.port);
    try {
      const head = signedHead(server, 'PUT', '/hdr/announced', {
        'content-length': String(64 * 1024 * 1024),
        expect: '100-continue',
        'x-amz-server-side-encryption': 'AES256',
      });
      watched.socket.write(head);
      const answer = await watched.waitFor(/<\/Error>/, 10_000);
      expect(answer).toMatch(/^HTTP\/1\.1 501 /);
      expect(answer).not.toContain('100 Continue');
      expect(answer).toContain('<Header>x-amz-server-side-encryption</Header>');
    } finally {
      watched.socket.destroy();
    }
    expect(await exists('/hdr/announced')).toBe(false);
  });
});

describe('CreateBucket and object lock', () => {
  it('creates nothing for a value that is neither true nor false, and acts on both', async () => {
    const refused = await send('/locked-bucket', {
      method: 'PUT',
      headers: { 'x-amz-bucket-object-lock-enabled': 'maybe' },
    });
    expect(await errorOf(refused)).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect((await send('/locked-bucket', { method: 'HEAD' })).status).toBe(404);
    const locked = await send('/locked-bucket', {
      method: 'PUT',
      headers: { 'x-amz-bucket-object-lock-enabled': 'TRUE' },
    });
    expect(locked.status).toBe(200);
    expect((await send('/locked-bucket?object-lock')).status).toBe(200);
    const plain = await send('/plain-bucket', {
      method: 'PUT',
      headers: {
        'x-amz-bucket-object-lock-enabled': 'false',
        'x-amz-object-ownership': 'ObjectWriter',
      },
    });
    expect(plain.status).toBe(200);
    expect(await errorOf(await send('/plain-bucket?object-lock'))).toMatchObject({
      status: 404,
      code: 'ObjectLockConfigurationNotFoundError',
    });
  });
});

describe('headers acted on', () => {
  it('x-amz-expected-bucket-owner: AccessDenied for another owner, nothing stored', async () => {
    const owner = (await s3.send(new ListBucketsCommand({}))).Owner!.ID!;
    const wrong = { 'x-amz-expected-bucket-owner': `${owner}x` };
    expect(await errorOf(await send('/hdr', { headers: wrong }))).toMatchObject({
      status: 403,
      code: 'AccessDenied',
    });
    const put = await send('/hdr/owned', { method: 'PUT', headers: wrong });
    expect((await errorOf(put)).code).toBe('AccessDenied');
    expect(await exists('/hdr/owned')).toBe(false);
    const right = { 'x-amz-expected-bucket-owner': owner };
    expect((await send('/hdr/owned', { method: 'PUT', headers: right })).status).toBe(200);
    const copy = await send('/hdr/owned-copy', {
      method: 'PUT',
      headers: { 'x-amz-copy-source': '/hdr/owned', 'x-amz-source-expected-bucket-owner': 'x' },
    });
    expect((await errorOf(copy)).code).toBe('AccessDenied');
    expect(await exists('/hdr/owned-copy')).toBe(false);
  });

  it('DeleteObject If-Match: 412 for another ETag, 404 when absent, else deletes', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: 'hdr', Key: 'cond', Body: 'c' }));
    const stale = await send('/hdr/cond', { method: 'DELETE', headers: { 'if-match': '"0"' } });
    expect(await errorOf(stale)).toMatchObject({ status: 412, code: 'PreconditionFailed' });
    expect(await exists('/hdr/cond')).toBe(true);
    const absent = await send('/hdr/never', { method: 'DELETE', headers: { 'if-match': '*' } });
    expect(await errorOf(absent)).toMatchObject({ status: 404, code: 'NoSuchKey' });
    const matched = await send('/hdr/cond', {
      method: 'DELETE',
      headers: { 'if-match': put.ETag! },
    });
    expect(matched.status).toBe(204);
    expect(await exists('/hdr/cond')).toBe(false);
  });

  it('DeleteObjects: an ETag in an Object element makes its delete conditional', async () => {
    const kept = await s3.send(new PutObjectCommand({ Bucket: 'hdr', Key: 'm-kept', Body: 'k' }));
    const gone = await s3.send(new PutObjectCommand({ Bucket: 'hdr', Key: 'm-gone', Body: 'g' }));
    expect(kept.ETag).toBeDefined();
    const body =
      '<Delete>' +
      '<Object><Key>m-kept</Key><ETag>"00000000000000000000000000000000"</ETag></Object>' +
      `<Object><Key>m-gone</Key><ETag>${gone.ETag!.replaceAll('"', '&quot;')}</ETag></Object>` +
      '<Object><Key>m-size</Key><Size>1</Size></Object>' +
      '</Delete>';
    const res = await signedFetch(server.url, '/hdr?delete', {
      method: 'POST',
      body,
      headers: { 'content-md5': createHash('md5').update(body).digest('base64') },
      credentials: server,
    });
    const xml = await res.text();
    expect(res.status).toBe(200);
    expect(xml).toMatch(/<Error><Key>m-kept<\/Key><Code>PreconditionFailed<\/Code>/);
    expect(xml).toMatch(/<Deleted><Key>m-gone<\/Key><\/Deleted>/);
    expect(xml).toMatch(/<Error><Key>m-size<\/Key><Code>NotImplemented<\/Code>/);
    expect(await exists('/hdr/m-kept')).toBe(true);
    expect(await exists('/hdr/m-gone')).toBe(false);
  });

  it('bypass-governance on a delete is accepted: nothing in this bucket is locked', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'hdr', Key: 'gone', Body: 'g' }));
    const res = await send('/hdr/gone', {
      method: 'DELETE',
      headers: { 'x-amz-bypass-governance-retention': 'true' },
    });
    expect(res.status).toBe(204);
    expect(await exists('/hdr/gone')).toBe(false);
  });
});
