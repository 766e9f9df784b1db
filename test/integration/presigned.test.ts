/**
 * Presigned URLs against a real cairn process: SigV4 query auth (X-Amz-*) and SigV2 query
 * auth (Expires), for GET, PUT and HEAD, used with plain fetch and curl. A presigned URL is
 * a bearer token, so the tests prove what it must not grant: more time, another method,
 * another key or another query than the one signed.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uriEncode } from '../../src/auth/request-parts.js';
import { presignV4 } from '../../src/auth/sigv4-client.js';
import { sdkV2Client } from '../helpers/aws-sdk-v2.js';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { presignedV2, presignedV4, presignedV4AnyExpiry } from '../helpers/presign.js';

const run = promisify(execFile);
const BUCKET = 'presign';
const KEY = 'dir/a key+with (odd) chars.bin';
const PATH = `/${BUCKET}/${uriEncode(KEY, true)}`;
const BODY = randomBytes(64 * 1024 + 3);

let server: CairnProcess;
let s3: S3Client;
let work: string;

useCairn({ buckets: [BUCKET] }, (started) => ({ server, s3 } = started));
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'cairn-presign-'));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: BODY }));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function codeOf(res: Response): Promise<string | undefined> {
  return /<Code>([^<]*)<\/Code>/.exec(await res.text())?.[1];
}

async function expectRefused(res: Response, status: number, code: string, message?: string) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(/<Code>([^<]*)<\/Code>/.exec(text)?.[1], text).toBe(code);
  if (message) expect(text).toContain(message);
}

async function storedBytes(key: string): Promise<Buffer> {
  const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

const put = (url: string, body: Buffer) =>
  fetch(url, { method: 'PUT', body: new Uint8Array(body) });

type Presign = (method: string, path: string) => string;

const v4: Presign = (method, path) => presignedV4(server, method, path);
const v2: Presign = (method, path) => presignedV2(server, method, path);

describe.each([
  ['SigV4', v4],
  ['SigV2', v2],
])('presigned URLs (%s)', (_name, presign: Presign) => {
  it('GET, PUT and HEAD work with fetch; GET and PUT with curl', async () => {
    const got = await fetch(presign('GET', PATH));
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(BODY)).toBe(true);

    const head = await fetch(presign('HEAD', PATH), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(BODY.length));

    const fresh = randomBytes(10_000);
    const putPath = `/${BUCKET}/put-${_name}`;
    expect((await put(presign('PUT', putPath), fresh)).status).toBe(200);
    expect((await storedBytes(`put-${_name}`)).equals(fresh)).toBe(true);

    const file = join(work, `curl-${_name}`);
    await writeFile(file, fresh.subarray(0, 5000));
    const curlPut = await run('curl', [
      '-sS',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '-T',
      file,
      presign('PUT', `/${BUCKET}/curl-${_name}`),
    ]);
    expect(curlPut.stdout).toBe('200');
    const curlGet = await run('curl', [
      '-sS',
      '-o',
      `${file}.back`,
      '-w',
      '%{http_code}',
      presign('GET', `/${BUCKET}/curl-${_name}`),
    ]);
    expect(curlGet.stdout).toBe('200');
    expect((await readFile(`${file}.back`)).equals(fresh.subarray(0, 5000))).toBe(true);
  });

  it('binds the method: a URL signed for one method is refused for another', async () => {
    const other = randomBytes(100);
    const wrongPut = await put(presign('GET', PATH), other);
    await expectRefused(wrongPut, 403, 'SignatureDoesNotMatch');
    const wrongDelete = await fetch(presign('GET', PATH), { method: 'DELETE' });
    await expectRefused(wrongDelete, 403, 'SignatureDoesNotMatch');
    const wrongGet = await fetch(presign('PUT', PATH));
    await expectRefused(wrongGet, 403, 'SignatureDoesNotMatch');
    const headAsGet = await fetch(presign('HEAD', PATH));
    await expectRefused(headAsGet, 403, 'SignatureDoesNotMatch');
    const getAsHead = await fetch(presign('GET', PATH), { method: 'HEAD' });
    expect(getAsHead.status).toBe(403);
    expect((await storedBytes(KEY)).equals(BODY)).toBe(true);
  });

  it('refuses a tampered path, query or signature', async () => {
    const url = presign('GET', PATH);
    const otherKey = url.replace('a%20key', 'b%20key');
    expect(otherKey).not.toBe(url);
    const otherBucket = presign('GET', PATH).replace(`/${BUCKET}/`, '/other-bucket/');
    const addedParam = `${url}&response-content-type=text%2Fhtml`;
    const flipped = flipSignature(url);
    for (const tampered of [otherKey, otherBucket, addedParam, flipped]) {
      const res = await fetch(tampered);
      await expectRefused(res, 403, 'SignatureDoesNotMatch');
    }
    const signedOverride = presign('GET', `${PATH}?response-content-type=text%2Fplain`);
    const overridden = await fetch(signedOverride);
    expect(overridden.status).toBe(200);
    expect(overridden.headers.get('content-type')).toBe('text/plain');
    await overridden.arrayBuffer();
  });
});

/** Changes one character of the signature (V4 hex or V2 base64), keeping its form. */
function flipSignature(url: string): string {
  return url.replace(/(Signature=)(.)/, (_m, name: string, c: string) => {
    const swapped = c === 'a' ? 'b' : 'a';
    return `${name}${swapped}`;
  });
}

describe('presigned URLs: SigV4 expiry', () => {
  it('accepts X-Amz-Expires 1 and 604800', async () => {
    // Signed a minute ahead (within the allowed skew) so a 1 s validity cannot lapse in flight.
    const ahead = Date.now() + 60_000;
    const one = presignedV4(server, 'GET', PATH, { expiresSec: 1, nowMs: ahead });
    expect((await fetch(one)).status).toBe(200);
    const week = presignedV4(server, 'GET', PATH, { expiresSec: 604800 });
    expect((await fetch(week)).status).toBe(200);
    expect((await fetch(presignedV4AnyExpiry(server, PATH, '604800'))).status).toBe(200);
  });

  it('refuses X-Amz-Expires outside 1..604800: 403, or 400 when no number', async () => {
    for (const expires of ['0', '-7', '604801', '609901', '99999999999']) {
      const res = await fetch(presignedV4AnyExpiry(server, PATH, expires));
      await expectRefused(res, 403, 'AccessDenied');
    }
    for (const expires of ['1e3', 'abc']) {
      const res = await fetch(presignedV4AnyExpiry(server, PATH, expires));
      await expectRefused(res, 400, 'AuthorizationQueryParametersError');
    }
  });

  it('refuses missing or malformed presign parameters', async () => {
    const url = presignedV4(server, 'GET', PATH);
    const noSignature = url.replace(/&X-Amz-Signature=[0-9a-f]+/, '');
    const noDate = url.replace(/X-Amz-Date=[0-9TZ]+&/, '');
    const badAlgorithm = url.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1');
    for (const broken of [noSignature, noDate, badAlgorithm]) {
      const res = await fetch(broken);
      expect(res.status, broken).toBeGreaterThanOrEqual(400);
      expect(res.status, broken).toBeLessThan(500);
      expect(await codeOf(res)).toMatch(/AuthorizationQueryParametersError|AccessDenied/);
    }
  });

  it('refuses an expired URL: signed long ago, and after its expiry passes', async () => {
    const old = presignedV4(server, 'GET', PATH, { expiresSec: 60, nowMs: Date.now() - 120_000 });
    await expectRefused(await fetch(old), 403, 'AccessDenied', 'Request has expired');
    const oldPut = presignedV4(server, 'PUT', PATH, {
      expiresSec: 60,
      nowMs: Date.now() - 120_000,
    });
    await expectRefused(await put(oldPut, randomBytes(10)), 403, 'AccessDenied');
    const short = presignedV4(server, 'GET', PATH, { expiresSec: 1 });
    await new Promise((r) => setTimeout(r, 2500));
    await expectRefused(await fetch(short), 403, 'AccessDenied', 'Request has expired');
    expect((await storedBytes(KEY)).equals(BODY)).toBe(true);
  });

  it('refuses a URL whose date or expiry was changed after signing', async () => {
    const url = presignedV4(server, 'GET', PATH, { expiresSec: 60 });
    const longer = url.replace('X-Amz-Expires=60', 'X-Amz-Expires=3600');
    await expectRefused(await fetch(longer), 403, 'SignatureDoesNotMatch');
    const later = url.replace(/X-Amz-Date=(\d{8})T(\d{6})Z/, (_m, day: string, time: string) => {
      const seconds = Number(time.slice(4)) < 30 ? Number(time.slice(4)) + 1 : 0;
      return `X-Amz-Date=${day}T${time.slice(0, 4)}${String(seconds).padStart(2, '0')}Z`;
    });
    expect(later).not.toBe(url);
    await expectRefused(await fetch(later), 403, 'SignatureDoesNotMatch');
  });
});

describe('presigned URLs: SigV2 expiry', () => {
  it('refuses an expired URL: in the past, and after its expiry passes', async () => {
    const nowSec = Math.floor(Date.now() / 1000);
    const past = presignedV2(server, 'GET', PATH, { expiresAtSec: nowSec - 1 });
    await expectRefused(await fetch(past), 403, 'AccessDenied', 'Request has expired');
    const soon = presignedV2(server, 'HEAD', PATH, { expiresAtSec: nowSec + 2 });
    await new Promise((r) => setTimeout(r, 3200));
    expect((await fetch(soon, { method: 'HEAD' })).status).toBe(403);
  });

  it('refuses a URL whose Expires was moved after signing', async () => {
    const nowSec = Math.floor(Date.now() / 1000);
    const url = presignedV2(server, 'GET', PATH, { expiresAtSec: nowSec + 60 });
    const moved = url.replace(`Expires=${nowSec + 60}`, `Expires=${nowSec + 86400}`);
    await expectRefused(await fetch(moved), 403, 'SignatureDoesNotMatch');
    const garbage = url.replace(`Expires=${nowSec + 60}`, 'Expires=soon');
    await expectRefused(await fetch(garbage), 400, 'AuthorizationQueryParametersError');
  });
});

describe('presigned URLs made by aws-sdk v2 getSignedUrl', () => {
  it.each(['v2', 'v4'] as const)('GET, PUT and HEAD (signatureVersion %s)', async (version) => {
    const client = await sdkV2Client(server, version);
    const key = `sdk-v2-${version}`;
    const fresh = randomBytes(20_000);
    const putUrl = client.getSignedUrl('putObject', { Bucket: BUCKET, Key: key, Expires: 60 });
    expect((await put(putUrl, fresh)).status).toBe(200);
    const getUrl = client.getSignedUrl('getObject', { Bucket: BUCKET, Key: key, Expires: 60 });
    const got = await fetch(getUrl);
    expect(Buffer.from(await got.arrayBuffer()).equals(fresh)).toBe(true);
    const headUrl = client.getSignedUrl('headObject', { Bucket: BUCKET, Key: key, Expires: 60 });
    const head = await fetch(headUrl, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(fresh.length));
    await expectRefused(await put(getUrl, randomBytes(5)), 403, 'SignatureDoesNotMatch');
    expect((await storedBytes(key)).equals(fresh)).toBe(true);
  });
});

describe('presigned URLs carry only what was signed', () => {
  // Whoever holds a URL meant to upload one object must not turn it into another request:
  // every x-amz-* header that changes what a PUT does, added to a URL that did not sign it.
  const CHANGING_HEADERS: Array<[string, string]> = [
    ['x-amz-copy-source', `/${BUCKET}/${uriEncode(KEY, true)}`],
    ['x-amz-metadata-directive', 'REPLACE'],
    ['x-amz-acl', 'public-read'],
    ['x-amz-grant-read', 'uri="http://acs.amazonaws.com/groups/global/AllUsers"'],
    ['x-amz-grant-full-control', 'uri="http://acs.amazonaws.com/groups/global/AllUsers"'],
    ['x-amz-meta-added', 'yes'],
    ['x-amz-tagging', 'owner=someone-else'],
    ['x-amz-storage-class', 'REDUCED_REDUNDANCY'],
    ['x-amz-checksum-crc32', 'AAAAAA=='],
    ['x-amz-sdk-checksum-algorithm', 'CRC32'],
    ['x-amz-server-side-encryption', 'AES256'],
    ['x-amz-object-lock-mode', 'GOVERNANCE'],
    ['x-amz-object-lock-retain-until-date', '2099-01-01T00:00:00Z'],
    ['x-amz-object-lock-legal-hold', 'ON'],
    ['x-amz-website-redirect-location', '/elsewhere'],
    ['x-amz-date', '20300101T000000Z'],
  ];

  async function absent(key: string) {
    const res = await fetch(presignedV4(server, 'HEAD', `/${BUCKET}/${key}`), { method: 'HEAD' });
    expect(res.status, key).toBe(404);
  }

  it.each(CHANGING_HEADERS)(
    'SigV4: an unsigned %s is refused, nothing written',
    async (name, value) => {
      const key = `unsigned-${name}`;
      const url = presignedV4(server, 'PUT', `/${BUCKET}/${key}`);
      const res = await fetch(url, { method: 'PUT', body: 'x', headers: { [name]: value } });
      await expectRefused(
        res,
        403,
        'AccessDenied',
        `There were headers present in the request which were not signed: ${name}`,
      );
      await absent(key);
    },
  );

  it.each(CHANGING_HEADERS)('SigV2: an added %s breaks the signature', async (name, value) => {
    const key = `v2-unsigned-${name}`;
    const url = presignedV2(server, 'PUT', `/${BUCKET}/${key}`);
    const res = await fetch(url, { method: 'PUT', body: 'x', headers: { [name]: value } });
    await expectRefused(res, 403, 'SignatureDoesNotMatch');
    await absent(key);
  });

  it('a signed x-amz-acl is honoured; x-amz-content-sha256 needs no signing', async () => {
    const path = `/${BUCKET}/signed-acl`;
    const headers = { 'x-amz-acl': 'public-read' };
    const url = presignV4(
      { method: 'PUT', url: new URL(path, server.url), headers },
      { accessKeyId: server.keyId, secretAccessKey: server.secret },
      'us-east-1',
      Date.now(),
      300,
    );
    const put = await fetch(url, {
      method: 'PUT',
      body: 'public',
      headers: { ...headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    expect(put.status, await put.text()).toBe(200);
    const anonymous = await fetch(new URL(path, server.url));
    expect(await anonymous.text()).toBe('public');
    // The same URL with the signed header changed or left out is another request.
    const changed = await fetch(url, {
      method: 'PUT',
      body: 'x',
      headers: { 'x-amz-acl': 'public-read-write' },
    });
    await expectRefused(changed, 403, 'SignatureDoesNotMatch');
    const left = await fetch(url, { method: 'PUT', body: 'x' });
    await expectRefused(left, 403, 'SignatureDoesNotMatch');
  });

  it('a tampered SigV4 signature is 403 SignatureDoesNotMatch, whatever its form', async () => {
    const url = presignedV4(server, 'GET', PATH);
    const signature = /X-Amz-Signature=([0-9a-f]+)/.exec(url)![1]!;
    for (const tampered of [signature.toUpperCase(), `g${signature.slice(1)}`, `${signature}0`]) {
      await expectRefused(
        await fetch(url.replace(signature, tampered)),
        403,
        'SignatureDoesNotMatch',
      );
    }
  });
});
