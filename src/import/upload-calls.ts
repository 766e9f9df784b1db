/**
 * The multipart upload calls of an import (on the target): start, upload a part from a
 * stream, complete, abort, and find the uploads an interrupted run left for a key.
 */
import type { Readable } from 'node:stream';
import { uriEncode } from '../auth/request-parts.js';
import { parseField, parseUploadsOf } from './core/xml.js';
import { answerError, call, type Keys } from './s3-http.js';
import { objectPath, type Store } from './store.js';

/** CreateMultipartUpload; the upload id. */
export async function createUpload(
  store: Store,
  keys: Keys,
  bucket: string,
  key: string,
  headers: Record<string, string>,
) {
  const answer = await store.call(
    keys,
    {
      method: 'POST',
      path: objectPath(bucket, key),
      query: 'uploads',
      headers,
      body: Buffer.alloc(0),
    },
    `start an upload of ${bucket}/${key}`,
    { retries: 0 },
  );
  return parseField(answer.text, 'InitiateMultipartUploadResult', 'UploadId');
}

/** UploadPart with a streamed body; the part's ETag. */
export async function uploadPart(
  store: Store,
  keys: Keys,
  bucket: string,
  key: string,
  uploadId: string,
  part: number,
  headers: Record<string, string>,
  body: Readable,
) {
  const query = `partNumber=${part}&uploadId=${uriEncode(uploadId)}`;
  const response = await store.open(keys, {
    method: 'PUT',
    path: objectPath(bucket, key),
    query,
    headers,
    body,
  });
  if (response.statusCode !== 200)
    throw await answerError(response, `${store.name}: write part ${part} of ${bucket}/${key}`);
  response.resume();
  return String(response.headers['etag'] ?? '');
}

/** CompleteMultipartUpload; the object's ETag. */
export async function completeUpload(
  store: Store,
  keys: Keys,
  bucket: string,
  key: string,
  uploadId: string,
  etags: string[],
) {
  const parts = etags.map(
    (etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`,
  );
  const body = `<CompleteMultipartUpload>${parts.join('')}</CompleteMultipartUpload>`;
  const answer = await store.call(
    keys,
    {
      method: 'POST',
      path: objectPath(bucket, key),
      query: `uploadId=${uriEncode(uploadId)}`,
      body: Buffer.from(body),
    },
    `complete the upload of ${bucket}/${key}`,
    { retries: 0 },
  );
  return parseField(answer.text, 'CompleteMultipartUploadResult', 'ETag');
}

/** AbortMultipartUpload (a missing upload is already gone). */
export async function abortUpload(
  store: Store,
  keys: Keys,
  bucket: string,
  key: string,
  uploadId: string,
): Promise<void> {
  await call(
    store.endpoint,
    keys,
    { method: 'DELETE', path: objectPath(bucket, key), query: `uploadId=${uriEncode(uploadId)}` },
    `${store.name}: abort an upload of ${bucket}/${key}`,
    { accept: [404] },
  );
}

/** Ids of the uploads in progress for exactly `key`. */
export async function uploadsOf(
  store: Store,
  keys: Keys,
  bucket: string,
  key: string,
): Promise<string[]> {
  const query = `encoding-type=url&prefix=${uriEncode(key)}&uploads`;
  const answer = await store.call(
    keys,
    { method: 'GET', path: objectPath(bucket), query },
    `list uploads of ${bucket}/${key}`,
  );
  return parseUploadsOf(answer.text, key).ids;
}
