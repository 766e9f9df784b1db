// Real requests from @aws-sdk/client-s3, captured before they hit the network and fed to
// authenticate and bodyVerifier: whatever signing and checksum modes the SDK picks must verify.

import { Readable } from 'node:stream';

import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';

import { authenticate, bodyVerifier, type SignedRequest } from '../../../src/auth/index.js';
import { S3_DOC_CREDENTIALS, lookupOf, runThrough } from './fixtures.js';

interface CapturedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

function encodeQueryPart(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Builds the query the way the SDK's node handler does. */
function queryString(query: CapturedRequest['query']): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (value === null) parts.push(encodeQueryPart(name));
    else if (Array.isArray(value)) {
      for (const item of value) parts.push(`${encodeQueryPart(name)}=${encodeQueryPart(item)}`);
    } else parts.push(`${encodeQueryPart(name)}=${encodeQueryPart(value)}`);
  }
  return parts.join('&');
}

async function bodyBytes(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

async function capture(
  send: (client: S3Client) => Promise<unknown>,
  options: { checksums?: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED' } = {},
): Promise<{ req: SignedRequest; body: Buffer }> {
  let captured: CapturedRequest | undefined;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9000',
    forcePathStyle: true,
    credentials: S3_DOC_CREDENTIALS,
    requestChecksumCalculation: options.checksums ?? 'WHEN_SUPPORTED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: CapturedRequest) => {
        captured = request;
        const body = await bodyBytes(request.body);
        captured = { ...request, body };
        return {
          response: { statusCode: 200, headers: {}, body: Readable.from([Buffer.from('')]) },
        };
      },
    } as never,
  });
  await send(client).catch(() => undefined); // the fake response may not deserialize
  if (captured === undefined) throw new Error('no request captured');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(captured.headers)) headers[name.toLowerCase()] = value;
  const query = queryString(captured.query);
  const rawUrl = query === '' ? captured.path : `${captured.path}?${query}`;
  return {
    req: { method: captured.method, rawUrl, headers },
    body: captured.body as Buffer,
  };
}

async function verify(req: SignedRequest, body: Buffer, expected: Buffer) {
  const result = await authenticate(req, Date.now(), lookupOf(S3_DOC_CREDENTIALS));
  expect(result, JSON.stringify(req.headers)).toMatchObject({ ok: true, signatureVersion: 'v4' });
  if (!result.ok) throw new Error('unreachable');
  const verifier = bodyVerifier(result.payload, req.headers);
  const { output, error } = await runThrough(verifier.stream, [body]);
  expect(error).toBeUndefined();
  expect(output.equals(expected)).toBe(true);
  return { payload: result.payload, checksums: verifier.checksums() };
}

describe('client-s3: requests from the AWS SDK verify', () => {
  it('client-s3: GetObject with an awkward key', async () => {
    const { req, body } = await capture((c) =>
      c.send(
        new GetObjectCommand({ Bucket: 'bkt', Key: "dir/ü +x!*'()~$&=.txt", Range: 'bytes=0-9' }),
      ),
    );
    await verify(req, body, Buffer.alloc(0));
  });

  it('client-s3: ListObjectsV2 with prefix and delimiter', async () => {
    const { req, body } = await capture((c) =>
      c.send(new ListObjectsV2Command({ Bucket: 'bkt', Prefix: 'a b+c/', Delimiter: '/' })),
    );
    await verify(req, body, Buffer.alloc(0));
  });

  it('client-s3: PutObject with a buffer body (checksums when supported)', async () => {
    const data = Buffer.from('hello, cairn '.repeat(1000));
    const { req, body } = await capture((c) =>
      c.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'k', Body: data })),
    );
    const { checksums } = await verify(req, body, data);
    expect(Object.keys(checksums).length).toBeGreaterThan(0);
  });

  it('client-s3: PutObject with a stream body uses aws-chunked and verifies', async () => {
    const data = Buffer.alloc(200_000, 'z');
    const { req, body } = await capture((c) =>
      c.send(
        new PutObjectCommand({
          Bucket: 'bkt',
          Key: 'streamed',
          Body: Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]),
          ContentLength: data.length,
          ChecksumAlgorithm: 'CRC32C',
        }),
      ),
    );
    const { payload, checksums } = await verify(req, body, data);
    expect(payload.kind).toMatch(/^streaming-/);
    expect(checksums).toHaveProperty('x-amz-checksum-crc32c');
  });

  it('client-s3: UploadPart with CRC64NVME', async () => {
    const data = Buffer.alloc(5000, 'q');
    const { req, body } = await capture((c) =>
      c.send(
        new UploadPartCommand({
          Bucket: 'bkt',
          Key: 'mp',
          UploadId: 'abc/def==',
          PartNumber: 2,
          Body: data,
          ChecksumAlgorithm: 'CRC64NVME',
        }),
      ),
    );
    const { checksums } = await verify(req, body, data);
    expect(checksums).toHaveProperty('x-amz-checksum-crc64nvme');
  });
});
