/**
 * SDK v1's TransferManager.download as copyFromS3ToNfs runs it: HEAD the object, then
 * `HEAD ?partNumber=1`; if the answer carries `x-amz-mp-parts-count`, every part is read
 * with `GET ?partNumber=i` (10 at a time) and written at its offset, else one GET with
 * `Range: bytes=0-(len-1)`. The file is written as it arrives, never held in memory.
 */
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { CsS3Error, getObject, headObject } from './cs-ops.js';
import type { CsWire } from './cs-wire.js';

/** What a download did. */
export interface DownloadReport {
  branch: 'parts' | 'ranged';
  size: number;
  partCount?: number;
  /** Content-Range of each part GET, in part order. */
  contentRanges: string[];
}

async function writeAt(message: NodeJS.ReadableStream, path: string, start: number) {
  await pipeline(message, createWriteStream(path, { flags: 'r+', start }));
}

async function inParallel(count: number, workers: number, task: (i: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) await task(i);
  };
  await Promise.all(Array.from({ length: Math.min(workers, count) }, worker));
}

/** Downloads `key` to `path`; `partsBranch: false` skips the part probe (serial branch). */
export async function tmDownload(
  wire: CsWire,
  key: string,
  path: string,
  options: { partsBranch: boolean },
): Promise<DownloadReport> {
  const head = await headObject(wire, key);
  if (head.status !== 200) throw new CsS3Error(head.status, '', `HEAD ${key}`);
  if (!head.headers['last-modified'] || head.headers['content-length'] === undefined) {
    throw new Error('HEAD without Last-Modified or Content-Length');
  }
  const size = Number(head.headers['content-length']);
  await (await open(path, 'w')).close();
  const probe = options.partsBranch ? await headObject(wire, key, 1) : undefined;
  const partCount = Number(probe?.headers['x-amz-mp-parts-count'] ?? 0);
  if (partCount > 0) {
    const lengths = new Array<number>(partCount);
    await inParallel(partCount, 10, async (i) => {
      const part = await headObject(wire, key, i + 1);
      // S3 answers a part read 206; SDK v1 takes any 2xx.
      if (part.status !== 200 && part.status !== 206)
        throw new CsS3Error(part.status, '', `HEAD part ${i + 1}`);
      lengths[i] = Number(part.headers['content-length']);
    });
    const offsets = lengths.map((_, i) => lengths.slice(0, i).reduce((a, b) => a + b, 0));
    const contentRanges = new Array<string>(partCount);
    await inParallel(partCount, 10, async (i) => {
      const message = await getObject(wire, key, { partNumber: i + 1 });
      if (message.statusCode !== 206) {
        message.resume();
        throw new CsS3Error(message.statusCode ?? 0, '', `GET part ${i + 1}`);
      }
      contentRanges[i] = String(message.headers['content-range']);
      await writeAt(message, path, offsets[i]!);
    });
    return { branch: 'parts', size, partCount, contentRanges };
  }
  const message = await getObject(wire, key, { range: `bytes=0-${size - 1}` });
  if (message.statusCode !== 206 && message.statusCode !== 200) {
    message.resume();
    throw new CsS3Error(message.statusCode ?? 0, '', `GET ${key}`);
  }
  await writeAt(message, path, 0);
  return { branch: 'ranged', size, contentRanges: [String(message.headers['content-range'])] };
}
