/**
 * SSE-S3 master key rotation through real `cairn start` processes on one data dir: objects
 * (one unversioned, two versions of a versioned one) written under key A; restarted with
 * "B, then A" in the key file, `cairn-admin kms rotate` re-wraps their data keys under B
 * (a second run finds nothing left); restarted with B alone, every object still reads, and
 * no block file changed. The control: before the rotation, B alone cannot read them.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useKmsStores } from '../helpers/kms-store.js';

const stores = useKmsStores();
const hex = () => `${randomBytes(32).toString('hex')}\n`;

async function read(s3: S3Client, key: string, VersionId?: string) {
  const got = await s3.send(
    new GetObjectCommand({ Bucket: 'rot', Key: key, ...(VersionId ? { VersionId } : {}) }),
  );
  return Buffer.from(await got.Body!.transformToByteArray());
}

/** Sizes and mtimes of every file of the blob store, to show no block was rewritten. */
async function blobFiles(dataDir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dataDir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (!entry.isFile() || !path.includes('blob')) continue;
    const info = await stat(path);
    files.set(path, `${info.size}@${info.mtimeMs}`);
  }
  return files;
}

describe('cairn-admin kms rotate', () => {
  it('re-wraps every SSE-S3 data key under the new key without rewriting data', async () => {
    const { keyFile, dataDir } = await stores.dirs('cairn-kms-rot-');
    const [keyA, keyB] = [hex(), hex()];
    await writeFile(keyFile, keyA, { mode: 0o600 });
    const data = { plain: randomBytes(100_000), v1: randomBytes(3000), v2: randomBytes(90_000) };
    let started = await stores.start(dataDir, keyFile);
    const { s3 } = started;
    await s3.send(new CreateBucketCommand({ Bucket: 'rot' }));
    const sse = { Bucket: 'rot', ServerSideEncryption: 'AES256' as const };
    await s3.send(new PutObjectCommand({ ...sse, Key: 'plain', Body: data.plain }));
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: 'rot',
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
    const v1 = await s3.send(new PutObjectCommand({ ...sse, Key: 'ver', Body: data.v1 }));
    await s3.send(new PutObjectCommand({ ...sse, Key: 'ver', Body: data.v2 }));
    await stores.stop(started);
    const blobsBefore = await blobFiles(dataDir);
    expect(blobsBefore.size).toBeGreaterThan(0);

    // The control: the new key alone opens nothing yet.
    await writeFile(keyFile, keyB, { mode: 0o600 });
    started = await stores.start(dataDir, keyFile);
    await expect(read(started.s3, 'plain')).rejects.toThrow();
    await stores.stop(started);

    await writeFile(keyFile, keyB + keyA, { mode: 0o600 });
    started = await stores.start(dataDir, keyFile);
    const admin = (args: string[]) => stores.admin(started, args);
    const rotated = await admin(['--data-dir', dataDir, 'kms', 'rotate']);
    expect(rotated.stdout).toMatch(/^Re-wrapped 3 data keys/);
    const again = await admin(['--data-dir', dataDir, 'kms', 'rotate']);
    expect(again.stdout).toMatch(/^Re-wrapped 0 data keys/);
    await stores.stop(started);

    await writeFile(keyFile, keyB, { mode: 0o600 });
    started = await stores.start(dataDir, keyFile);
    expect((await read(started.s3, 'plain')).equals(data.plain)).toBe(true);
    expect((await read(started.s3, 'ver')).equals(data.v2)).toBe(true);
    expect((await read(started.s3, 'ver', v1.VersionId)).equals(data.v1)).toBe(true);
    await stores.stop(started);
    expect(await blobFiles(dataDir)).toEqual(blobsBefore);
  }, 120_000);
});
