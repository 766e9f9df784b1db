/**
 * Stanchion in a real cluster (scripts/dev-cluster.sh: 3 nodes, two stanchions, two S3
 * front ends): one total order for concurrent creates from every front end, failover to
 * the standby when the active one is killed, fencing of an active one that was paused and
 * comes back, and objects that keep working while no stanchion runs at all.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevCluster, type DevCluster } from '../helpers/dev-cluster.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { codeOf } from '../helpers/s3-errors.js';

let cluster: DevCluster;
let endpointB: string;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function client(endpoint: string, keys: { keyId: string; secret: string }, attempts = 1) {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    maxAttempts: attempts,
    credentials: { accessKeyId: keys.keyId, secretAccessKey: keys.secret },
  });
}

async function createUser(endpoint: string, email: string) {
  const res = await signedFetch(endpoint, '/riak-cs/user', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, name: email }),
    credentials: cluster,
  });
  return { status: res.status, text: await res.text() };
}

async function stanchionStatus() {
  const out = await cluster.admin('stanchion', 'status', '--json').catch((e: Error) => e.message);
  const start = out.indexOf('[');
  return JSON.parse(out.slice(start, out.lastIndexOf(']') + 1)) as Array<{
    address: string;
    status?: { role: string; epoch: number; appliedSeq: number; buckets: number };
  }>;
}

async function waitForActive(timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const active = (await stanchionStatus()).filter((s) => s.status?.role === 'active');
    if (active.length === 1) return active[0]!.address;
    if (Date.now() > deadline) throw new Error('no single active stanchion');
    await sleep(250);
  }
}

beforeAll(async () => {
  cluster = await startDevCluster(3);
  await cluster.script('join');
  await cluster.script('restart', 's3b');
  endpointB = `http://127.0.0.1:${cluster.basePort + 81}`;
  for (let i = 0; ; i++) {
    const up = await fetch(endpointB).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (i > 100) throw new Error('the second front end did not start');
    await sleep(100);
  }
}, 120_000);

afterAll(async () => {
  await cluster?.cleanup();
}, 60_000);

describe('stanchion: one order from every front end (3 nodes, 2 front ends)', () => {
  it('gives a name one owner among 50 concurrent creates from two users', async () => {
    const alice = JSON.parse((await createUser(cluster.endpoint, 'alice@x.io')).text);
    const bob = JSON.parse((await createUser(endpointB, 'bob@x.io')).text);
    const clients = [
      client(cluster.endpoint, { keyId: alice.key_id, secret: alice.key_secret }),
      client(endpointB, { keyId: bob.key_id, secret: bob.key_secret }),
    ];
    const codes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        codeOf(clients[i % 2]!.send(new CreateBucketCommand({ Bucket: 'contested' }))),
      ),
    );
    // The owner's own re-creates answer 200 (us-east-1, as S3): every 'ok' is one user's.
    const winners = new Set(codes.flatMap((code, i) => (code === 'ok' ? [i % 2] : [])));
    expect(winners.size).toBe(1);
    const loser = 1 - [...winners][0]!;
    codes.forEach((code, i) => expect(code).toBe(i % 2 === loser ? 'BucketAlreadyExists' : 'ok'));
  }, 60_000);

  it('creates exactly one user among 50 concurrent creations with one e-mail', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        createUser(i % 2 ? endpointB : cluster.endpoint, 'same@x.io'),
      ),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    for (const a of answers.filter((a) => a.status !== 201)) {
      expect(a.status).toBe(409);
      expect(a.text).toContain('<Code>UserAlreadyExists</Code>');
    }
  }, 60_000);
});

describe('stanchion: failover and fencing (3 nodes)', () => {
  const acked: string[] = [];

  it('takes over within 10 s when the active one is killed; no acked create is lost', async () => {
    const s3 = client(cluster.endpoint, cluster);
    let killedAtMs = 0;
    let firstAfterKillMs = 0;
    for (let i = 0; i < 24; i++) {
      if (i === 8) {
        await cluster.script('kill', 'stanchion');
        killedAtMs = Date.now();
      }
      const name = `failover-${i}`;
      for (;;) {
        const code = await codeOf(s3.send(new CreateBucketCommand({ Bucket: name })));
        if (code === 'ok' || code === 'BucketAlreadyOwnedByYou') break;
        expect(code).toBe('ServiceUnavailable');
        await sleep(200);
      }
      acked.push(name);
      if (killedAtMs && !firstAfterKillMs) firstAfterKillMs = Date.now();
    }
    const failoverMs = firstAfterKillMs - killedAtMs;
    process.stdout.write(
      `stanchion failover: first create acknowledged ${failoverMs} ms after kill -9\n`,
    );
    expect(failoverMs).toBeLessThan(10_000);
    const listed = await s3.send(new ListBucketsCommand({}));
    const names = new Set(listed.Buckets!.map((b) => b.Name));
    for (const name of acked) expect(names.has(name), name).toBe(true);
    const status = await stanchionStatus();
    const active = status.find((s) => s.status?.role === 'active')!.status!;
    expect(active.buckets).toBe(names.size + 1); // + the contested bucket, owned by alice
  }, 90_000);

  it('fences a paused active: it stands down when it comes back and never acts', async () => {
    await cluster.script('restart', 'stanchion1');
    await cluster.script('restart', 'stanchion2').catch(() => undefined);
    const paused =
      (await waitForActive(20_000)) === `127.0.0.1:${cluster.basePort + 85}`
        ? 'stanchion1'
        : 'stanchion2';
    await sleep(1500);
    await cluster.script('pause', 'stanchion');
    const s3 = client(cluster.endpoint, cluster, 3);
    const code = await codeOf(s3.send(new CreateBucketCommand({ Bucket: 'while-paused' })));
    expect(code).toBe('ok');
    await cluster.script('resume', paused);
    await sleep(2500);
    const status = await stanchionStatus();
    expect(status.filter((s) => s.status?.role === 'active')).toHaveLength(1);
    const log = await readFile(join(cluster.dir, 'log', `${paused}.log`), 'utf8');
    expect(log).toMatch(/standing down at epoch \d+/);
    const epochs = status.map((s) => s.status!.epoch);
    expect(new Set(epochs).size).toBe(1);
    const listed = await s3.send(new ListBucketsCommand({}));
    expect(listed.Buckets!.filter((b) => b.Name === 'while-paused')).toHaveLength(1);
  }, 90_000);

  it('serves objects with no stanchion; user and bucket changes answer 503', async () => {
    const s3 = client(cluster.endpoint, cluster);
    await s3.send(new PutObjectCommand({ Bucket: 'failover-0', Key: 'before', Body: 'x' }));
    await cluster.script('kill', 'stanchion1').catch(() => undefined);
    await cluster.script('kill', 'stanchion2').catch(() => undefined);
    await s3.send(new PutObjectCommand({ Bucket: 'failover-0', Key: 'during', Body: 'yes' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'failover-0', Key: 'during' }));
    expect(await got.Body!.transformToString()).toBe('yes');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'failover-0' }));
    expect(listed.Contents!.map((c) => c.Key)).toEqual(['before', 'during']);
    await s3.send(new DeleteObjectCommand({ Bucket: 'failover-0', Key: 'before' }));
    expect(await codeOf(s3.send(new CreateBucketCommand({ Bucket: 'no-serializer' })))).toBe(
      'ServiceUnavailable',
    );
    const user = await createUser(cluster.endpoint, 'nobody@x.io');
    expect(user.status).toBe(503);
    expect(user.text).toContain('<Code>ServiceUnavailable</Code>');
    await cluster.script('restart', 'stanchion1');
    await cluster.script('restart', 'stanchion2');
    await waitForActive(30_000);
    const after = await codeOf(
      client(cluster.endpoint, cluster, 3).send(new CreateBucketCommand({ Bucket: 'after' })),
    );
    expect(after).toBe('ok');
    const names = (await s3.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name);
    for (const name of acked) expect(names).toContain(name);
  }, 120_000);
});
