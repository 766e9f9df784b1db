/**
 * A GET must never hand a client wrong bytes as a success (a JS-SDK GET once failed its
 * CRC32 check across a node's SIGKILL). A 3-node dev cluster with 64 KiB blocks, so every
 * object spans 16 to 24 blocks; GETs (plain http.get on presigned URLs, which shows what the
 * server sent, and the JS SDK with its checksum check) stream objects while a storage node
 * is SIGKILLed, and go on while it restarts and takes back what it missed; PUTs go on
 * meanwhile, so the restarted node receives handoffs while it is read. Every body that
 * ends complete must be the bytes PUT; every other GET must be a failure the client sees at
 * once (an error status or a cut connection), never a response left short of its length.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
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

const BUCKET = 'get-across-kill';
const BLOCK_BYTES = 64 * 1024;
const SEEDED = 12;
const READERS = 6;
const WRITERS = 2;
/** Nodes SIGKILLed in turn, each restarted before the next. */
const KILLS = ['dev2', 'dev3', 'dev2'];
/** A response with no byte for this long is stalled: the server stopped short of its length. */
const STALL_MS = 8000;

let cluster: DevCluster;
let s3: S3Client;
const stored = new Map<string, string>();

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

async function putObject(key: string, bytes: number) {
  const body = randomBytes(bytes);
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  stored.set(key, sha256(body));
}

/** Counts of what the GETs saw; `wrong` and `stalled` must stay empty. */
function tally() {
  return { ok: 0, failed: 0, puts: 0, wrong: [] as string[], stalled: [] as string[] };
}
type Tally = ReturnType<typeof tally>;

async function rawGet(key: string, t: Tally) {
  const target = { url: cluster.endpoint, keyId: cluster.keyId, secret: cluster.secret };
  const got = await observedGet(presignedV4(target, 'GET', `/${BUCKET}/${key}`), STALL_MS);
  const what = `${key}: ${got.status} ${got.receivedBytes}/${got.promisedBytes} ${got.ending}`;
  if (got.ending === 'stalled') return t.stalled.push(what);
  if (got.ending !== 'complete' || got.status !== 200) return t.failed++;
  if (got.receivedBytes !== got.promisedBytes || got.sha256 !== stored.get(key)) {
    return t.wrong.push(what);
  }
  t.ok++;
}

async function sdkGet(key: string, t: Tally) {
  try {
    const got = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }),
    );
    const body = await got.Body!.transformToByteArray();
    if (sha256(body) !== stored.get(key)) t.wrong.push(`${key}: SDK read ${body.length} B`);
    else t.ok++;
  } catch (error) {
    const message = (error as Error).message;
    if (/checksum mismatch/i.test(message)) t.wrong.push(`${key}: SDK ${message}`);
    else t.failed++;
  }
}

/** Readers and writers until `stop()`; resolves with what they saw. */
function workload() {
  let running = true;
  const t = tally();
  const reader = async (r: number) => {
    for (let i = r; running; i++) {
      const keys = [...stored.keys()];
      const key = keys[(i * 7) % keys.length]!;
      await (i % 2 === 0 ? rawGet(key, t) : sdkGet(key, t));
    }
  };
  const writer = async (w: number) => {
    for (let i = 0; running; i++) {
      await putObject(`new/${w}/${i}`, 1024 * 1024 + ((i * 7919) % 512) * 1024)
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

describe('GETs of multi-block objects across a storage node SIGKILL', () => {
  beforeAll(async () => {
    cluster = await startDevCluster(3, { CAIRN_BLOCK_SIZE: String(BLOCK_BYTES) });
    await cluster.script('join');
    s3 = new S3Client({
      endpoint: cluster.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: cluster.keyId, secretAccessKey: cluster.secret },
    });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    for (let i = 0; i < SEEDED; i++) await putObject(`seed/${i}`, 1024 * 1024 + i * 37 * 1024);
  }, 180_000);
  afterAll(async () => {
    s3?.destroy();
    await cluster?.cleanup();
  });

  it('sends every completed body intact and cuts every other one', async () => {
    const totals = tally();
    for (const name of KILLS) {
      const load = workload();
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
});
