/**
 * Upgrade in place: a data dir written by the embedded store before it was built by the
 * one node builder (test/fixtures/embedded-dd6e804, made by scripts/upgrade-fixture.ts with
 * `cairn start` of commit dd6e804: ring.json in singleNodeRing's shape, LevelDB, a blob
 * file, a stanchion log and admin.json) opens with today's `cairn start` with every object
 * intact, the deleted one still deleted, its ring file unchanged, and it keeps working.
 * A different ring_creation_size is refused, as it was.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureBody, UPGRADE_FIXTURE } from '../../scripts/upgrade-fixture.js';
import { MAIN_JS, startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { s3Client } from '../helpers/s3-client.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/embedded-dd6e804');
const Bucket = UPGRADE_FIXTURE.bucket;

/** A private copy of the fixture: opening it writes to it. */
async function copyOfFixture(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-upgrade-'));
  await cp(FIXTURE, dir, { recursive: true });
  return dir;
}

async function bodyOf(s3: S3Client, key: string): Promise<Buffer> {
  const answer = await s3.send(new GetObjectCommand({ Bucket, Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

/** Checks every fixture object, the deleted one, and the listing. */
async function expectFixtureIntact(s3: S3Client): Promise<void> {
  for (const { key, size, seed } of UPGRADE_FIXTURE.objects) {
    expect((await bodyOf(s3, key)).equals(fixtureBody(size, seed)), key).toBe(true);
  }
  await expect(
    s3.send(new HeadObjectCommand({ Bucket, Key: UPGRADE_FIXTURE.deleted })),
  ).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  const listed = await s3.send(new ListObjectsV2Command({ Bucket }));
  const keys: string[] = UPGRADE_FIXTURE.objects.map((o) => o.key).sort();
  expect((listed.Contents ?? []).map((c) => c.Key).filter((k) => keys.includes(k!))).toEqual(keys);
}

/** Runs `cairn start` on `dataDir` expecting it to refuse; resolves with its output. */
function refusedStart(dataDir: string, args: string[]): Promise<{ code: number; text: string }> {
  const child = spawn(
    process.execPath,
    [MAIN_JS, 'start', '--port', '0', '--data-dir', dataDir, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr.on('data', (d: Buffer) => (text += d.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code: code ?? -1, text });
    }),
  );
}

describe('upgrade: an embedded data dir from before the node builder', () => {
  const servers: CairnProcess[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const server of servers) await server.cleanup();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('opens with every object intact, and keeps working across a restart', async () => {
    const dataDir = await copyOfFixture();
    dirs.push(dataDir);
    const ringBefore = await readFile(join(dataDir, 'node', 'ring.json'), 'utf8');
    const admin = JSON.parse(await readFile(join(dataDir, 'admin.json'), 'utf8')) as {
      keyId: string;
    };
    const first = await startCairn({ dataDir });
    servers.push(first);
    expect(first.keyId).toBe(admin.keyId);
    const s3 = s3Client(first);
    await expectFixtureIntact(s3);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'after-upgrade', Body: 'new' }));
    s3.destroy();
    expect(await first.stop()).toBe(0);
    expect(first.errorLogs()).toEqual([]);
    expect(await readFile(join(dataDir, 'node', 'ring.json'), 'utf8')).toBe(ringBefore);

    const second = await startCairn({ dataDir });
    servers.push(second);
    const again = s3Client(second);
    await expectFixtureIntact(again);
    expect((await bodyOf(again, 'after-upgrade')).toString()).toBe('new');
    again.destroy();
    expect(second.errorLogs()).toEqual([]);
  });

  it('refuses another ring_creation_size (ring.json says 64)', async () => {
    const dataDir = await copyOfFixture();
    dirs.push(dataDir);
    const { code, text } = await refusedStart(dataDir, ['--ring-size', '128']);
    expect(code).not.toBe(0);
    expect(text).toMatch(/ring_creation_size 64, not 128/);
    // Nothing was rewritten: the data still opens with its own size.
    const server = await startCairn({ dataDir });
    servers.push(server);
    const s3 = s3Client(server);
    await expectFixtureIntact(s3);
    s3.destroy();
  });
});
