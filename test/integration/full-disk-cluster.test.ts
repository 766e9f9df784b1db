/**
 * A full disk on cluster nodes (4 nodes, n_val=3, w=2; dev2..dev4 each on a 40 MiB tmpfs;
 * four nodes so that every preference list holds three distinct nodes): one full node does
 * not stop writes (the other two make the quorum); with three full, every write answers 507
 * InsufficientStorage through the front end, reads keep working, and writes succeed again
 * once space returns.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevCluster, type DevCluster } from '../helpers/dev-cluster.js';
import { s3ErrorOf } from '../helpers/s3-errors.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { mountTmpfs, tmpfsUnavailable, type Tmpfs } from '../helpers/tmpfs.js';
import { skipWith } from '../helpers/skip.js';
import { s3ClientNoRetry } from '../helpers/s3-client.js';

const MiB = 1024 ** 2;
const unavailable = tmpfsUnavailable();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('full disk: cluster nodes (4 nodes, n_val=3, w=2)', skipWith(unavailable), () => {
  let cluster: DevCluster;
  let s3: S3Client;
  const disks: Tmpfs[] = [];
  const ballast = (disk: Tmpfs) => join(disk.dir, 'ballast');

  beforeAll(async () => {
    cluster = await startDevCluster(4, {}, async (dir) => {
      for (const node of ['dev2', 'dev3', 'dev4']) {
        disks.push(await mountTmpfs(40 * MiB, join(dir, node)));
      }
    });
    await cluster.script('join');
    await cluster.settled(120_000);
    s3 = s3ClientNoRetry({ url: cluster.endpoint, keyId: cluster.keyId, secret: cluster.secret });
    const res = await signedFetch(cluster.endpoint, '/full', {
      method: 'PUT',
      credentials: cluster,
    });
    expect(res.status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    s3?.destroy();
    await cluster?.script('stop').catch(() => undefined);
    for (const disk of disks) await disk.unmount();
    await cluster?.cleanup();
  }, 60_000);

  it('one full node: writes go on; three: 507, reads go on; space back: writes again', async () => {
    const put = (key: string) =>
      s3.send(new PutObjectCommand({ Bucket: 'full', Key: key, Body: randomBytes(MiB) }));
    await put('before');
    await fill(ballast(disks[0]!));
    await sleep(1100); // each node's guard looks at its disk once a second
    for (let i = 0; i < 5; i++) await put(`one-full-${i}`);

    await fill(ballast(disks[1]!));
    await fill(ballast(disks[2]!));
    await sleep(1100);
    const refused = await s3ErrorOf(put('two-full'));
    expect(refused).toEqual({ name: 'InsufficientStorage', status: 507 });
    const got = await s3.send(new GetObjectCommand({ Bucket: 'full', Key: 'one-full-4' }));
    expect((await got.Body!.transformToByteArray()).length).toBe(MiB);

    for (const disk of disks) await rm(ballast(disk));
    await sleep(1100);
    await put('after');
  }, 120_000);
});

/** Fills the filesystem under `path` to below any reserve (leaves about 1 MiB). */
async function fill(path: string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    const chunk = Buffer.alloc(MiB);
    for (;;) await handle.write(chunk);
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
  } finally {
    await handle.close();
  }
}
