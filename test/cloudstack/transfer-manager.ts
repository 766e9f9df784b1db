/**
 * SDK v1's TransferManager as CloudStack uses it: streamed uploads from a URL (serial
 * parts), file uploads from the NFS staging store (10 workers, parts out of order) and
 * downloads by part or by one ranged GET. Every part's ETag is checked against the MD5 of
 * what was sent, as SDK v1 does ("Unable to verify integrity of data upload"). Parts are
 * length-limited views of the source stream: no part is ever buffered.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  abortMultipart,
  completeMultipart,
  CsS3Error,
  parseXml,
  unquote,
  initiateMultipart,
  putObject,
  uploadPart,
  type PutOptions,
} from './cs-ops.js';
import type { CsWire, WireResponse } from './cs-wire.js';

const MIB = 1024 * 1024;
/** TransferManagerConfiguration: multipart above 16 MiB, parts of at least 5 MiB. */
export const MULTIPART_THRESHOLD_BYTES = 16 * MIB;
/** The smallest part size, and the one CloudStack ends up with below 48.8 GiB. */
export const PART_BYTES_MIN = 5 * MIB;

/** `max(5 MiB, ceil(len / 10000))`. */
export const partBytesFor = (length: number) => Math.max(PART_BYTES_MIN, Math.ceil(length / 10000));

/** What an upload did, for the test's assertions. */
export interface UploadReport {
  etag: string;
  multipart: boolean;
  parts: Array<{ partNumber: number; etag: string; continued: boolean; continueMs?: number }>;
  completeMs?: number;
  complete?: WireResponse;
}

function verifyEtag(what: string, response: { etag: string }, md5: Hash): void {
  const expected = md5.digest('hex');
  if (response.etag !== expected) {
    throw new Error(`Unable to verify integrity of data upload (${what}): ${response.etag}`);
  }
}

/** Cuts a stream into consecutive length-limited sub-streams, hashing each with MD5. */
function slicer(source: AsyncIterable<Buffer>) {
  const iterator = source[Symbol.asyncIterator]();
  let leftover: Buffer | undefined;
  return (length: number, md5: Hash): Readable =>
    Readable.from(
      (async function* () {
        for (let remaining = length; remaining > 0;) {
          let chunk = leftover ?? ((await iterator.next()).value as Buffer | undefined);
          leftover = undefined;
          if (chunk === undefined) throw new Error('the source ended before its length');
          if (chunk.length > remaining) {
            leftover = chunk.subarray(remaining);
            chunk = chunk.subarray(0, remaining);
          }
          md5.update(chunk);
          remaining -= chunk.length;
          yield chunk;
        }
      })(),
      { objectMode: false },
    );
}

async function finishMultipart(
  wire: CsWire,
  key: string,
  uploadId: string,
  report: UploadReport,
): Promise<UploadReport> {
  const sorted = [...report.parts].sort((a, b) => a.partNumber - b.partNumber);
  const started = performance.now();
  const complete = await completeMultipart(wire, key, uploadId, sorted);
  report.completeMs = performance.now() - started;
  report.complete = complete;
  if (complete.status !== 200) throw new CsS3Error(complete.status, '', `Complete ${key}`);
  const result = parseXml(complete.body)['CompleteMultipartUploadResult'] as Record<string, string>;
  const etag = unquote(result['ETag']);
  return { ...report, etag };
}

/**
 * S3TemplateDownloader: uploads the body of `origin` (which has a Content-Length) to `key`,
 * one PUT up to 16 MiB, else serial multipart; aborts the upload on any error.
 */
export async function tmUploadStream(
  wire: CsWire,
  key: string,
  origin: Readable,
  length: number,
  options: PutOptions = {},
): Promise<UploadReport> {
  const next = slicer(origin);
  if (length <= MULTIPART_THRESHOLD_BYTES) {
    const md5 = createHash('md5');
    const put = await putObject(wire, key, { stream: next(length, md5), length }, options);
    verifyEtag(key, put, md5);
    const { continued, continueMs } = put.response;
    return {
      etag: put.etag,
      multipart: false,
      parts: [
        {
          partNumber: 1,
          etag: put.etag,
          continued,
          ...(continueMs !== undefined ? { continueMs } : {}),
        },
      ],
    };
  }
  const { uploadId } = await initiateMultipart(wire, key, options);
  const report: UploadReport = { etag: '', multipart: true, parts: [] };
  try {
    const partBytes = partBytesFor(length);
    for (let partNumber = 1, at = 0; at < length; partNumber++, at += partBytes) {
      const md5 = createHash('md5');
      const size = Math.min(partBytes, length - at);
      const part = await uploadPart(wire, key, uploadId, partNumber, {
        stream: next(size, md5),
        length: size,
      });
      verifyEtag(`part ${partNumber}`, part, md5);
      const { continued, continueMs } = part.response;
      report.parts.push({
        partNumber,
        etag: part.etag,
        continued,
        ...(continueMs !== undefined ? { continueMs } : {}),
      });
    }
    return await finishMultipart(wire, key, uploadId, report);
  } catch (error) {
    await abortMultipart(wire, key, uploadId).catch(() => undefined);
    throw error;
  }
}

async function fileMd5(path: string, start = 0, end?: number): Promise<Buffer> {
  const md5 = createHash('md5');
  const range = end === undefined ? { start } : { start, end: end - 1 };
  for await (const chunk of createReadStream(path, range)) md5.update(chunk as Buffer);
  return md5.digest();
}

/**
 * putFile: a file from the staging store. One PUT with Content-MD5 up to 16 MiB; else
 * parts uploaded by `concurrency` workers in a shuffled order (`order` permutes part
 * indexes), `repeatPart` uploaded twice (the second write must win), Complete ascending.
 */
export async function tmUploadFile(
  wire: CsWire,
  key: string,
  path: string,
  options: { order?: (count: number) => number[]; repeatPart?: number; concurrency?: number } = {},
): Promise<UploadReport> {
  const { size } = await stat(path);
  if (size <= MULTIPART_THRESHOLD_BYTES) {
    const contentMd5 = (await fileMd5(path)).toString('base64');
    const stream = createReadStream(path);
    const put = await putObject(wire, key, { stream, length: size }, { contentMd5 });
    return { etag: put.etag, multipart: false, parts: [] };
  }
  const { uploadId } = await initiateMultipart(wire, key, {});
  const partBytes = partBytesFor(size);
  const count = Math.ceil(size / partBytes);
  const order = options.order?.(count) ?? [...Array(count).keys()];
  const queue = [...order];
  const etags = new Map<number, string>();
  if (options.repeatPart !== undefined) {
    // A first, wrong version of the part (a retried PUT): the later upload must replace it.
    const n = options.repeatPart;
    const length = Math.min(partBytes, size - (n - 1) * partBytes);
    await uploadPart(wire, key, uploadId, n, Buffer.alloc(length, 0x5a));
  }
  const worker = async () => {
    for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
      const start = index * partBytes;
      const end = Math.min(size, start + partBytes);
      const md5 = createHash('md5');
      const stream = slicer(createReadStream(path, { start, end: end - 1 }))(end - start, md5);
      const part = await uploadPart(wire, key, uploadId, index + 1, {
        stream,
        length: end - start,
      });
      verifyEtag(`part ${index + 1}`, part, md5);
      etags.set(index + 1, part.etag);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency ?? 10 }, worker));
    const parts = [...etags].map(([partNumber, etag]) => ({ partNumber, etag, continued: true }));
    return await finishMultipart(wire, key, uploadId, { etag: '', multipart: true, parts });
  } catch (error) {
    await abortMultipart(wire, key, uploadId).catch(() => undefined);
    throw error;
  }
}
