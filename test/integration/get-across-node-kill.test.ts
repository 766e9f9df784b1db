/**
 * A GET must never hand a client wrong bytes as a success (a JS-SDK GET once failed its
 * CRC32 check across a node's SIGKILL). A 3-node dev cluster with 128 KiB blocks, so every
 * object spans 8 to 12 blocks, each a blob file on every node. First, 3 rounds: GETs (plain
 * http.get on presigned URLs, on new and kept-alive connections, which shows what the server
 * sent; and the JS SDK) stream objects while a storage node is SIGKILLed and go on while it
 * restarts; PUTs go on meanwhile, so the restarted node receives handoffs while it is read.
 * Every body that ends complete must be the bytes PUT; every other GET a failure the client
 * sees at once (an error status or a cut connection), never a response short of its length.
 * Then one node's block files are cut short (a disk that lost the ends of files; a SIGKILL
 * no longer can, since every write of a block is a new file): every GET must still return the
 * bytes PUT, from the other replicas, and never send the short copy, and handoffs from that
 * node (hints it held while others were killed) must not spread it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, stat, truncate } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevCluster, type DevCluster } from '../helpers/dev-cluster.js';
import { observedGet } from '../helpers/observed-get.js';
import { presignedV4 } from '../helpers/presign.js';
import { sleep } from '../helpers/raw-http.js';
import { s3ClientNoRetry } from '../helpers/s3-client.js';

const BUCKET = 'get-across-kill';
// Over 64 KiB, so storage nodes keep each block in a blob file of its own (item-store.ts).
const BLOCK_BYTES = 128 * 1024;
const SEEDED = 12;
const READERS = 6;
const WRITERS = 2;
/** Nodes SIGKILLed in turn, each restarted before the next. */
const KILLS = ['dev2', 'dev3', 'dev2'];
/** A response with no byte for this long is stalled: the server stopped short of its length. */
const STALL_MS = 8000;

let cluster: DevCluster;
let s3: S3Client;
/** sha256 of every object whose PUT was acknowledged. */
const stored = new Map<string, string>();
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 50 });

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

async function putObject(key: string, bytes: number) {
  const body = randomBytes(bytes);
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  stored.set(key, sha256(body));
}

/** Counts of what the GETs saw; `wrong` and `stalled` must stay empty. */
function tally() {
  return {
    ok: 0,
    failed: 0,
    puts: 0,
    wrong: [] as string[],
    stalled: [] as string[],
    failures: [] as string[],
  };
}
type Tally = ReturnType<typeof tally>;

/** A GET on a presigned URL, on a new connection or a kept-alive one as a pool would. */
async function rawGet(key: string, t: Tally, agent: http.Agent | false = false) {
  const target = { url: cluster.endpoint, keyId: cluster.keyId, secret: cluster.secret };
  const got = await observedGet(presignedV4(target, 'GET', `/${BUCKET}/${key}`), STALL_MS, agent);
  const how = agent ? 'kept-alive' : 'new connection';
  const bytes = `${got.receivedBytes}/${got.promisedBytes} B`;
  const what = `${key} (${how}): ${got.status}, ${bytes}, ${got.ending}`;
  if (got.ending === 'stalled') return t.stalled.push(what);
  if (got.ending !== 'complete' || got.status !== 200) {
    if (t.failures.length < 3) t.failures.push(`${what} ${got.detail ?? ''}`);
    return t.failed++;
  }
  if (got.receivedBytes !== got.promisedBytes || got.sha256 !== stored.get(key)) {
    return t.wrong.push(what);
  }
  t.ok++;
}

/**
 * The SDK checks no checksum here: the test compares sha256 itself. With ChecksumMode
 * ENABLED the SDK once reported CRC32 mismatches across the kills (0–4 of ~300 GETs a run)
 * that raw reads never showed as wrong bytes: most likely GETs cut short by the server (a
 * block no replica could give, when one node down took two of three replicas of most keys
 * with it) that the SDK reports as a mismatch. With replicas on distinct nodes and blob
 * files never rewritten, 4 runs with ChecksumMode ENABLED saw ~1,300 validated SDK GETs,
 * every one with a checksum header, 0 mismatches and 0 failures.
 */
async function sdkGet(key: string, t: Tally) {
  try {
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const body = await got.Body!.transformToByteArray();
    if (sha256(body) !== stored.get(key)) t.wrong.push(`${key}: SDK read ${body.length} B`);
    else t.ok++;
  } catch {
    t.failed++;
  }
}

/** Readers and writers until `stop()`; resolves with what they saw. */
function workload(round: number) {
  let running = true;
  const t = tally();
  const reader = async (r: number) => {
    for (let i = r; running; i++) {
      const keys = [...stored.keys()];
      const key = keys[(i * 7) % keys.length]!;
      const kind = i % 3;
      if (kind === 0) await rawGet(key, t);
      else if (kind === 1) await rawGet(key, t, keepAlive);
      else await sdkGet(key, t);
    }
  };
  const writer = async (w: number) => {
    for (let i = 0; running; i++) {
      // Never a key written before: a GET racing an overwrite may rightly return either body.
      await putObject(`new/${round}/${w}/${i}`, 1024 * 1024 + ((i * 7919) % 512) * 1024)
        .then(() => t.puts++)
        .catch(() => undefined);
    }
  };
  const done = Promise.all([
    ...Array.from({ length: READERS }, (_, r) => reader(r)),
    ...Array.from({ length: WRITERS }, (_, w) => writer(w)),
  ]);
  return {
    async stop() {
      running = false;
      await done;
      return t;
    },
  };
}

async function killAndRestart(name: string) {
  const pid = Number(await readFile(join(cluster.dir, 'pids', `${name}.pid`), 'utf8'));
  process.kill(pid, 'SIGKILL');
  await sleep(2500);
  await cluster.script('restart', name);
  // The restarted node takes back its partitions' writes (handoff) while it is read.
  await sleep(4000);
}

/** Cuts every blob file of `name` to half its length. */
async function tearBlobsOf(name: string): Promise<number> {
  const root = join(cluster.dir, name, 'blobs');
  let torn = 0;
  for (const dir of await readdir(root)) {
    for (const file of await readdir(join(root, dir)).catch(() => [] as string[])) {
      const path = join(root, dir, file);
      await truncate(path, Math.floor((await stat(path)).size / 2));
      torn++;
    }
  }
  return torn;
}

describe('GETs of multi-block objects across a storage node SIGKILL', () => {
  beforeAll(async () => {
    cluster = await startDevCluster(3, { CAIRN_BLOCK_SIZE: String(BLOCK_BYTES) });
    await cluster.script('join');
    await cluster.settled(60_000);
    s3 = s3ClientNoRetry(
      { url: cluster.endpoint, keyId: cluster.keyId, secret: cluster.secret },
      {
        responseChecksumValidation: 'WHEN_REQUIRED',
      },
    );
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    for (let i = 0; i < SEEDED; i++) await putObject(`seed/${i}`, 1024 * 1024 + i * 37 * 1024);
  }, 180_000);
  afterAll(async () => {
    s3?.destroy();
    keepAlive.destroy();
    await cluster?.cleanup();
  });

  it('sends every completed body intact and cuts every other one', async () => {
    const totals = tally();
    for (const [round, name] of KILLS.entries()) {
      const load = workload(round);
      await sleep(1000);
      await killAndRestart(name);
      const t = await load.stop();
      totals.ok += t.ok;
      totals.failed += t.failed;
      totals.puts += t.puts;
      totals.wrong.push(...t.wrong);
      totals.stalled.push(...t.stalled);
    }
    console.log(
      `GETs across ${KILLS.length} SIGKILLs: ${totals.ok} intact, ${totals.failed} failed, ` +
        `${totals.wrong.length} wrong, ${totals.stalled.length} stalled; ${totals.puts} PUTs`,
    );
    expect(totals.wrong).toEqual([]);
    expect(totals.stalled).toEqual([]);
    expect(totals.ok).toBeGreaterThan(50);
  }, 240_000);

  it('never sends a replica short copy of a block: another replica is read', async () => {
    expect(await tearBlobsOf('dev1')).toBeGreaterThan(SEEDED * 8);
    const t = tally();
    const seeded = [...stored.keys()].filter((key) => key.startsWith('seed/'));
    for (let round = 0; round < 3; round++) {
      await Promise.all(seeded.map((key) => rawGet(key, t)));
    }
    console.log(
      `GETs with dev1's block copies torn: ${t.ok} intact, ${t.failed} failed: ` +
        JSON.stringify(t.failures),
    );
    expect(t.wrong).toEqual([]);
    expect(t.stalled).toEqual([]);
    expect(t.ok).toBe(seeded.length * 3);
  }, 120_000);
});
