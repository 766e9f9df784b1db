/**
 * A full disk under the embedded store (a 40 MiB tmpfs): writes are refused with
 * `507 InsufficientStorage` once free space falls below the reserve, nothing half-written
 * becomes visible, reads, listings and deletes keep working, and writes succeed again by
 * themselves once space returns.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  CreateBucketCommand,
} from '@aws-sdk/client-s3';
import { randomBytes, createHash } from 'node:crypto';
import { open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { s3ErrorOf } from '../helpers/s3-errors.js';
import { mountTmpfs, tmpfsUnavailable, type Tmpfs } from '../helpers/tmpfs.js';
import { skipWith } from '../helpers/skip.js';
import { s3ClientNoRetry } from '../helpers/s3-client.js';

const MiB = 1024 ** 2;
const unavailable = tmpfsUnavailable();
const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

describe('full disk: the embedded store (40 MiB tmpfs)', skipWith(unavailable), () => {
  let disk: Tmpfs;
  let server: CairnProcess;
  let s3: S3Client;
  const ballast = () => join(disk.dir, 'ballast');

  beforeAll(async () => {
    disk = await mountTmpfs(40 * MiB);
    // Filled up front, so the store's own files keep their room until the test lets go.
    await writeFile(ballast(), Buffer.alloc(12 * MiB));
    server = await startCairn({ dataDir: join(disk.dir, 'data') });
    s3 = s3ClientNoRetry(server);
    await s3.send(new CreateBucketCommand({ Bucket: 'full' }));
  });
  afterAll(async () => {
    s3?.destroy();
    const errors = server?.errorLogs() ?? [];
    await server?.cleanup({ keepData: true });
    await disk?.unmount();
    expect(errors).toEqual([]);
  });

  it('refuses writes with 507, keeps what it acknowledged, and recovers', async () => {
    const stored = new Map<string, string>();
    let refusedKey: string | undefined;
    for (let i = 0; i < 40 && refusedKey === undefined; i++) {
      const key = `object-${i}`;
      const body = randomBytes(MiB);
      try {
        await s3.send(new PutObjectCommand({ Bucket: 'full', Key: key, Body: body }));
        stored.set(key, md5(body));
      } catch (error) {
        expect(error).toBeInstanceOf(S3ServiceException);
        const { name, $metadata } = error as S3ServiceException;
        expect({ name, status: $metadata.httpStatusCode }).toEqual({
          name: 'InsufficientStorage',
          status: 507,
        });
        refusedKey = key;
      }
    }
    expect(refusedKey).toBeDefined();
    expect(stored.size).toBeGreaterThan(5);
    // A small object is refused too, and nothing refused is visible.
    const small = await s3ErrorOf(
      s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'small', Body: 'x' })),
    );
    expect(small.status).toBe(507);
    for (const key of [refusedKey!, 'small']) {
      const head = await s3ErrorOf(s3.send(new HeadObjectCommand({ Bucket: 'full', Key: key })));
      expect(head.status).toBe(404);
    }
    await expectReadable(s3, stored);
    // Deletes are admitted, so room can be made.
    const [deleted] = stored.keys();
    await s3.send(new DeleteObjectCommand({ Bucket: 'full', Key: deleted! }));
    stored.delete(deleted!);

    await rm(ballast());
    const body = randomBytes(MiB);
    await eventually(() =>
      s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'after', Body: body })),
    );
    stored.set('after', md5(body));
    await expectReadable(s3, stored);
  });

  it('a disk filled to the last byte: even deletes say 507, and LevelDB recovers', async () => {
    await fillCompletely(ballast());
    await new Promise((r) => setTimeout(r, 1100)); // the guard's next look at the disk
    const put = await s3ErrorOf(
      s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'tiny', Body: 'x' })),
    );
    expect(put.status).toBe(507);
    // Deletes must write tombstones: with no byte left, LevelDB itself meets ENOSPC (once
    // the last page its log holds is used up), and says so as 507, never 500.
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'full' }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    const outcomes: Array<number | undefined> = [];
    for (const key of keys) {
      const deleted = s3.send(new DeleteObjectCommand({ Bucket: 'full', Key: key }));
      outcomes.push(
        await deleted.then(
          () => 204,
          async () => (await s3ErrorOf(deleted)).status,
        ),
      );
    }
    expect(outcomes.every((status) => status === 204 || status === 507)).toBe(true);
    expect(outcomes).toContain(507);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'full', Key: keys.at(-1)! }));
    expect((await got.Body!.transformToByteArray()).length).toBe(MiB);

    await rm(ballast());
    for (const key of keys) {
      await eventually(() => s3.send(new DeleteObjectCommand({ Bucket: 'full', Key: key })));
    }
    await eventually(() =>
      s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'tiny', Body: 'x' })),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'full', Key: 'tiny' }));
    expect(head.ContentLength).toBe(1);
  });
});

/** Writes to `path` until the filesystem has no byte left. */
async function fillCompletely(path: string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    const chunk = Buffer.alloc(64 * 1024);
    for (;;) await handle.write(chunk);
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
  } finally {
    await handle.close();
  }
}

async function expectReadable(s3: S3Client, stored: Map<string, string>): Promise<void> {
  for (const [key, digest] of stored) {
    const got = await s3.send(new GetObjectCommand({ Bucket: 'full', Key: key }));
    expect(md5(Buffer.from(await got.Body!.transformToByteArray()))).toBe(digest);
  }
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'full' }));
  expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual([...stored.keys()].sort());
}

/** Retries `attempt` for up to 10 s: the guard looks at the disk once a second. */
async function eventually(attempt: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await attempt();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
