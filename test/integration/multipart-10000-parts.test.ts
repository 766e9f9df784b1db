/**
 * 10,000 parts through a real `cairn start` process that accepts parts of any size
 * (--enforce-multipart-part-size off): Complete must take seconds at most, since it writes
 * one manifest and copies no bytes. Prints the times and memory.
 */
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { bodyOf, expectedEtag, md5 } from '../helpers/multipart-client.js';
import { s3Client } from '../helpers/s3-client.js';

describe('10,000 parts', () => {
  let small: CairnProcess;
  let client: S3Client;

  beforeAll(async () => {
    small = await startCairn({
      args: ['--durability', 'none', '--enforce-multipart-part-size', 'off'],
    });
    client = s3Client(small);
    const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
    await client.send(new CreateBucketCommand({ Bucket: 'many-parts' }));
  }, 30_000);

  afterAll(async () => {
    client?.destroy();
    const errors = small?.errorLogs() ?? [];
    await small?.cleanup();
    expect(errors).toEqual([]);
  });

  it('completes 10,000 tiny parts in seconds and reads them back (timed)', async () => {
    const key = 'ten-thousand';
    const created = await client.send(
      new CreateMultipartUploadCommand({ Bucket: 'many-parts', Key: key }),
    );
    const uploadId = created.UploadId!;
    const parts = Array.from({ length: 10_000 }, (_, i) => Buffer.from(`<${i}>`));
    const done: Array<{ PartNumber: number; ETag: string }> = new Array(parts.length);
    let next = 0;
    const uploadStarted = performance.now();
    const worker = async () => {
      while (next < parts.length) {
        const i = next++;
        const out = await client.send(
          new UploadPartCommand({
            Bucket: 'many-parts',
            Key: key,
            UploadId: uploadId,
            PartNumber: i + 1,
            Body: parts[i]!,
          }),
        );
        done[i] = { PartNumber: i + 1, ETag: out.ETag! };
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const uploadMs = performance.now() - uploadStarted;
    const started = performance.now();
    const result = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'many-parts',
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: done },
      }),
    );
    const completeMs = performance.now() - started;
    console.log(
      `10,000 parts over HTTP: uploads ${(uploadMs / 1000).toFixed(1)} s, ` +
        `Complete ${completeMs.toFixed(0)} ms`,
    );
    expect(result.ETag).toBe(expectedEtag(parts));
    expect(completeMs).toBeLessThan(10_000);
    const got = await client.send(new GetObjectCommand({ Bucket: 'many-parts', Key: key }));
    expect(md5(await bodyOf(got))).toBe(md5(Buffer.concat(parts)));
    const last = await client.send(
      new GetObjectCommand({ Bucket: 'many-parts', Key: key, PartNumber: 10_000 }),
    );
    expect((await bodyOf(last)).toString()).toBe('<9999>');
    const memory = await small.memoryKb();
    console.log(`server memory after: RSS ${memory.rssKb} KiB, peak ${memory.hwmKb} KiB`);
  }, 240_000);
});
