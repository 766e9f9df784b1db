/**
 * The data dir is private to the user running cairn: `cairn start` sets its umask before it
 * creates anything, so the data dir is 0700 and every file in it (LevelDB tables and logs,
 * blob files, stanchion's log, admin.json, the pid file) 0600, whatever the umask it was
 * started with. Checked after users, buckets, objects and a multipart upload were written.
 */
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { wrongModes } from '../helpers/file-modes.js';
import { s3Client } from '../helpers/s3-client.js';
import { createUser } from '../helpers/users.js';

let server: CairnProcess | undefined;
let parent: string | undefined;
afterAll(async () => {
  await server?.cleanup();
  if (parent) await rm(parent, { recursive: true, force: true });
});

describe('data dir modes (embedded store)', () => {
  it('is 0700 with every file 0600 after users, buckets and objects are written', async () => {
    // The test runner's umask (022 here) would make 0755 dirs and 0644 files.
    const status = await readFile('/proc/self/status', 'utf8');
    expect(Number.parseInt(/^Umask:\s+(\d+)$/m.exec(status)![1]!, 8) & 0o077).not.toBe(0o077);
    parent = await mkdtemp(join(tmpdir(), 'cairn-modes-'));
    const dataDir = join(parent, 'data');
    server = await startCairn({ dataDir });
    const user = await createUser(server, 'modes@example.com');
    const s3 = s3Client(server, user.keys);
    await s3.send(new CreateBucketCommand({ Bucket: 'modes' }));
    await s3.send(new PutObjectCommand({ Bucket: 'modes', Key: 'a', Body: Buffer.alloc(3e6, 1) }));
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'modes', Key: 'm' }),
    );
    const part = await s3.send(
      new UploadPartCommand({ Bucket: 'modes', Key: 'm', UploadId, PartNumber: 1, Body: 'x' }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'modes',
        Key: 'm',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag! }] },
      }),
    );
    s3.destroy();
    user.s3.destroy();
    const { checked, wrong } = await wrongModes(dataDir);
    expect(checked).toBeGreaterThan(10);
    expect(wrong).toEqual([]);
    expect(await server.stop()).toBe(0);
    expect((await wrongModes(dataDir)).wrong).toEqual([]);
  });
});
