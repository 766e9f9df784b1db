/**
 * Keys may hold any UTF-8, C0 controls included, but no XML document Cairn sends holds a
 * character XML 1.0 forbids: a listing that would is refused unless the client asks for
 * encoding-type=url (as every SDK's listing does), and documents that echo a key percent-
 * encode such characters. Every answer here is read by a strict XML 1.0 check.
 */
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import type { S3Client } from '@aws-sdk/client-s3';
import { signedFetch } from '../helpers/signed-fetch.js';
import { parseStrictXml } from '../helpers/strict-xml.js';

let server: CairnProcess;
let s3: S3Client;
useCairn({ buckets: ['ctl'] }, (started) => ({ server, s3 } = started));

const KEY = 'bell\u0007/and\u0001nul-free';
const ENCODED = encodeURIComponent(KEY).replaceAll('%2F', '/');

async function get(path: string, method = 'GET', body?: string) {
  const res = await signedFetch(server.url, path, {
    method,
    credentials: server,
    ...(body !== undefined ? { body } : {}),
  });
  return { status: res.status, text: await res.text() };
}

it('xml: a key with C0 controls is stored and read back', async () => {
  await s3.send(new PutObjectCommand({ Bucket: 'ctl', Key: KEY, Body: 'control' }));
  const head = await s3.send(new HeadObjectCommand({ Bucket: 'ctl', Key: KEY }));
  expect(head.ContentLength).toBe(7);
});

it('xml: listings name such a key only under encoding-type=url', async () => {
  for (const path of ['/ctl', '/ctl?list-type=2', '/ctl?versions', '/ctl?uploads']) {
    const plain = await get(path);
    const doc = parseStrictXml(plain.text);
    if (path === '/ctl?uploads') continue; // no upload holds the key
    expect(plain.status, path).toBe(400);
    expect(JSON.stringify(doc)).toContain('encoding-type=url');
    const sep = path.includes('?') ? '&' : '?';
    const encoded = await get(`${path}${sep}encoding-type=url`);
    expect(encoded.status, path).toBe(200);
    expect(JSON.stringify(parseStrictXml(encoded.text))).toContain('bell%07');
  }
  const sdk = await s3.send(new ListObjectsV2Command({ Bucket: 'ctl', EncodingType: 'url' }));
  // The JS SDK leaves url-encoded keys to its caller to decode.
  expect(sdk.Contents?.map((o) => decodeURIComponent(o.Key!))).toEqual([KEY]);
});

it('xml: documents that echo the key percent-encode what XML cannot carry', async () => {
  const created = await get(`/ctl/${ENCODED}?uploads`, 'POST');
  expect(created.status).toBe(200);
  const doc = parseStrictXml(created.text) as { InitiateMultipartUploadResult: { Key: string } };
  expect(doc.InitiateMultipartUploadResult.Key).toBe('bell%07/and%01nul-free');
  const uploads = await get('/ctl?uploads');
  expect(uploads.status).toBe(400);
  parseStrictXml(uploads.text);
  const missing = await get(`/ctl/${ENCODED}x`);
  expect(missing.status).toBe(404);
  parseStrictXml(missing.text);
  const del = '<Delete><Object><Key>bell&#7;</Key></Object></Delete>'.replace('&#7;', '\u0007');
  parseStrictXml((await get('/ctl?delete', 'POST', del)).text);
});
