/**
 * The embedded data dir the upgrade test opens: what it holds, and how it was made. It was
 * written by `cairn start` of an older commit (the fixture's folder names it), so the test
 * proves that a data dir users already have opens unchanged with today's code.
 * `node dist/scripts/upgrade-fixture.js OLD_MAIN_JS OUT_DIR` makes one: it starts that
 * build's `cairn start` on OUT_DIR, writes the objects below, deletes one, and stops it.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';

/** What the fixture holds: one bucket, its objects (by size and seed), one deleted key. */
export const UPGRADE_FIXTURE = {
  bucket: 'upgrade-bucket',
  objects: [
    { key: 'small.txt', size: 11, seed: 1 },
    { key: 'nested/dir/medium.bin', size: 5000, seed: 2 },
    // Over the node's 64 KiB inline limit: stored in a blob file beside LevelDB.
    { key: 'large.bin', size: 70_000, seed: 3 },
  ],
  deleted: 'deleted.txt',
} as const;

/** The bytes of one fixture object: a simple sequence, the same every time. */
export function fixtureBody(size: number, seed: number): Buffer {
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return body;
}

/** Starts `mainJs start` on `dataDir`; resolves with its endpoint, keys and a stop. */
async function startOld(mainJs: string, dataDir: string) {
  const child = spawn(process.execPath, [mainJs, 'start', '--port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const ready = await new Promise<RegExpMatchArray>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`cairn start exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = output.match(
        /S3 endpoint: (\S+)[\s\S]*AWS_ACCESS_KEY_ID=(\S+)\nAWS_SECRET_ACCESS_KEY=(\S+)\n/,
      );
      if (found) resolve(found);
    });
  });
  const [, url, keyId, secret] = ready;
  const stopped = new Promise((resolve) => child.on('exit', resolve));
  const stop = async () => {
    child.kill('SIGTERM');
    await stopped;
  };
  return { url: url!, keyId: keyId!, secret: secret!, stop };
}

/** Writes the fixture with the `cairn start` of `mainJs` into `dataDir`. */
export async function makeUpgradeFixture(mainJs: string, dataDir: string): Promise<void> {
  const server = await startOld(mainJs, dataDir);
  const s3 = new S3Client({
    endpoint: server.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: server.keyId, secretAccessKey: server.secret },
  });
  try {
    const Bucket = UPGRADE_FIXTURE.bucket;
    await s3.send(new CreateBucketCommand({ Bucket }));
    for (const { key, size, seed } of UPGRADE_FIXTURE.objects) {
      await s3.send(new PutObjectCommand({ Bucket, Key: key, Body: fixtureBody(size, seed) }));
    }
    const deleted = UPGRADE_FIXTURE.deleted;
    await s3.send(new PutObjectCommand({ Bucket, Key: deleted, Body: 'gone' }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: deleted }));
  } finally {
    s3.destroy();
    await server.stop();
  }
  // The pid file of a stopped store is removed on exit; a LOG file only has timings.
  await rm(join(dataDir, 'cairn.pid'), { force: true });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [mainJs, dataDir] = process.argv.slice(2);
  if (!mainJs || !dataDir) throw new Error('usage: upgrade-fixture.js OLD_MAIN_JS OUT_DIR');
  await makeUpgradeFixture(mainJs, dataDir);
  process.stdout.write(`fixture written to ${dataDir}\n`);
}
