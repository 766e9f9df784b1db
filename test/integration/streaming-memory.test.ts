/**
 * Memory stays flat with object size: a 1 GiB PUT and GET through @aws-sdk/client-s3 keep
 * the server's peak resident memory (VmHWM) under 200 MiB. CAIRN_TEST_BIG_MIB changes the
 * size (default 1024).
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';

const SIZE_MIB = Number(process.env.CAIRN_TEST_BIG_MIB ?? 1024);
const RSS_MIB_MAX = 200;

let server: CairnProcess;
let s3: S3Client;

useCairn({ buckets: ['big'] }, (started) => ({ server, s3 } = started));

/** SIZE_MIB MiB of deterministic bytes, 1 MiB at a time, hashed as they are produced. */
function generated(md5: ReturnType<typeof createHash>): Readable {
  const base = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < base.length; i++) base[i] = (i * 31 + 7) & 0xff;
  let n = 0;
  return new Readable({
    read() {
      if (n === SIZE_MIB) return void this.push(null);
      const chunk = Buffer.from(base);
      chunk.writeUInt32BE(n++, 0);
      md5.update(chunk);
      this.push(chunk);
    },
  });
}

it(`PUT and GET of ${SIZE_MIB} MiB keep server RSS under ${RSS_MIB_MAX} MiB`, async () => {
  const sentMd5 = createHash('md5');
  const put = await s3.send(
    new PutObjectCommand({
      Bucket: 'big',
      Key: 'object',
      Body: generated(sentMd5),
      ContentLength: SIZE_MIB * 1024 * 1024,
    }),
  );
  const sentHex = sentMd5.digest('hex');
  expect(put.ETag).toBe(`"${sentHex}"`);
  const afterPut = await server.memoryKb();

  const got = await s3.send(new GetObjectCommand({ Bucket: 'big', Key: 'object' }));
  expect(got.ContentLength).toBe(SIZE_MIB * 1024 * 1024);
  const receivedMd5 = createHash('md5');
  for await (const chunk of got.Body as Readable) receivedMd5.update(chunk as Buffer);
  expect(receivedMd5.digest('hex')).toBe(sentHex);
  const afterGet = await server.memoryKb();
  console.log(
    `server VmHWM after PUT ${afterPut.hwmKb >> 10} MiB, after GET ${afterGet.hwmKb >> 10} MiB`,
  );
  expect(afterGet.hwmKb / 1024).toBeLessThan(RSS_MIB_MAX);
}, 300_000);
