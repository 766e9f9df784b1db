/**
 * Usage accounting and metrics against a real `cairn start`: storage counters after PUT,
 * overwrite, DELETE, multipart and copy match a listing; the reconciler heals counters a
 * killed process lost; the Riak CS usage API's JSON and XML shapes, its permissions and
 * its refusals; access statistics archived and returned; GET /metrics and its token.
 */
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_JS, startCairn, useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { multipartCalls } from '../helpers/multipart-client.js';
import { s3Client } from '../helpers/s3-client.js';
import { signedFetch } from '../helpers/signed-fetch.js';

const FAST_USAGE = {
  CAIRN_ACCESS_ARCHIVE_SECONDS: '1',
  CAIRN_STORAGE_ARCHIVE_SECONDS: '1',
  CAIRN_USAGE_FLUSH_SECONDS: '1',
  CAIRN_USAGE_RECONCILE_SECONDS: '1',
  CAIRN_ENFORCE_MULTIPART_PART_SIZE: 'off',
};

let server: CairnProcess;
let s3: S3Client;
useCairn({ buckets: ['acct'], env: FAST_USAGE }, (started) => ({ server, s3 } = started));

type Keys = { keyId: string; secret: string };
type StorageJson = {
  Users: Array<{ KeyId: string; Objects: number; Bytes: number; Buckets: unknown[] }>;
};
let alice: Keys;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const admin = (): Keys => ({ keyId: server.keyId, secret: server.secret });

async function get(path: string, as: Keys, headers: Record<string, string> = {}) {
  const res = await signedFetch(server.url, path, { credentials: as, headers });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

/** The admin's usage of bucket `acct` as the counters say. */
async function counted() {
  const answer = await get(`/riak-cs/storage/${server.keyId}?bucket=acct`, admin());
  expect(answer.status).toBe(200);
  const user = (JSON.parse(answer.text) as StorageJson).Users[0]!;
  return { objects: user.Objects, bytes: user.Bytes };
}

/** The admin's usage of bucket `acct` as a listing says. */
async function listed() {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: 'acct' }));
  const sizes = (out.Contents ?? []).map((o) => o.Size ?? 0);
  return { objects: sizes.length, bytes: sizes.reduce((a, b) => a + b, 0) };
}

async function put(key: string, bytes: number) {
  await s3.send(new PutObjectCommand({ Bucket: 'acct', Key: key, Body: 'x'.repeat(bytes) }));
}

beforeAll(async () => {
  const res = await signedFetch(server.url, '/riak-cs/user', {
    method: 'POST',
    credentials: admin(),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'alice@example.com', name: 'alice' }),
  });
  const user = JSON.parse(await res.text()) as { key_id: string; key_secret: string };
  alice = { keyId: user.key_id, secret: user.key_secret };
});

describe('usage: storage counters', () => {
  it('usage: counters match a listing after PUT, overwrite, DELETE, multipart, copy', async () => {
    expect(await counted()).toEqual({ objects: 0, bytes: 0 });
    await put('a', 100);
    await put('b', 200);
    expect(await counted()).toEqual(await listed());
    await put('a', 50); // overwrite: same count, fewer bytes
    expect(await counted()).toEqual({ objects: 2, bytes: 250 });
    await s3.send(new DeleteObjectCommand({ Bucket: 'acct', Key: 'b' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'acct', Key: 'never-was' }));
    expect(await counted()).toEqual({ objects: 1, bytes: 50 });
    await s3.send(new CopyObjectCommand({ Bucket: 'acct', Key: 'c', CopySource: 'acct/a' }));
    const mp = multipartCalls(() => s3, 'acct');
    const uploadId = await mp.create('d');
    const parts = [
      await mp.upload('d', uploadId, 1, Buffer.alloc(10, 1)),
      await mp.upload('d', uploadId, 2, Buffer.alloc(7, 2)),
    ];
    await mp.complete('d', uploadId, parts);
    expect(await counted()).toEqual({ objects: 3, bytes: 117 });
    expect(await counted()).toEqual(await listed());
  });

  it('usage: counters reach the ring within one flush interval', async () => {
    await sleep(1500); // one flush interval: the counters are on the ring
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/cairn_usage_counter_flushes_total\{result="ok"\} [1-9]/);
    expect(await counted()).toEqual(await listed());
  });

  it('usage: the storage route answers the admin and the user itself only', async () => {
    expect((await get(`/riak-cs/storage/${server.keyId}`, alice)).status).toBe(403);
    expect((await get('/riak-cs/storage', alice)).status).toBe(403);
    const own = await get(`/riak-cs/storage/${alice.keyId}`, alice);
    expect(JSON.parse(own.text)).toMatchObject({ Users: [{ Objects: 0, Bytes: 0 }] });
    const missing = await get('/riak-cs/storage/NOSUCHKEY0000000000', admin());
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('NoSuchUser');
    const all = JSON.parse((await get('/riak-cs/storage', admin())).text) as StorageJson;
    expect(all.Users.map((u) => u.KeyId).sort()).toEqual([server.keyId, alice.keyId].sort());
    const byBucket = await get('/riak-cs/storage?bucket=acct', admin());
    expect(JSON.parse(byBucket.text)).toMatchObject({ Users: [{ KeyId: server.keyId }] });
    expect((await get('/riak-cs/storage?bucket=no-such-bucket', admin())).status).toBe(404);
  });

  it('usage: cairn-admin storage prints objects, bytes and sizes', async () => {
    const env = { ...process.env, CAIRN_URL: server.url };
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, [ADMIN_JS, '--data-dir', server.dataDir, ...args], {
        env,
      });
    const { objects, bytes } = await listed();
    const one = await run('storage', '--bucket', 'acct');
    expect(one.stdout).toMatch(new RegExp(`${server.keyId}\\s+acct\\s+${objects}\\s+${bytes}\\s`));
    const all = await run('storage');
    expect(all.stdout).toContain(alice.keyId);
    const mine = await run('storage', '--user', alice.keyId, '--json');
    expect(JSON.parse(mine.stdout)).toMatchObject({ Users: [{ KeyId: alice.keyId }] });
    await expect(run('storage', '--user', 'NOSUCHKEY0000000000')).rejects.toThrow(/NoSuchUser/);
  });
});

type UsageJson = {
  Access: { Nodes: Array<{ Node: string; Samples: Array<Record<string, unknown>> }> };
  Storage: { Samples: Array<Record<string, unknown>>; Errors: unknown[] };
};

describe('usage: GET /riak-cs/usage', () => {
  it('usage: access and storage history in Riak CS JSON (archived every 1 s)', async () => {
    await put('history', 4096);
    // Archives run every 1 s; a loaded machine may need a few more before the PUT shows.
    let usage: UsageJson | undefined;
    let count = 0;
    let bytesIn = 0;
    for (let waitedMs = 0; waitedMs < 20_000 && (count < 5 || bytesIn < 4096 + 350);) {
      await sleep(500);
      waitedMs += 500;
      const answer = await get(`/riak-cs/usage/${server.keyId}/abj`, admin());
      expect(answer.status).toBe(200);
      expect(answer.type).toContain('application/json');
      usage = JSON.parse(answer.text) as UsageJson;
      const puts = usage.Access.Nodes.flatMap((n) => n.Samples).flatMap((s) =>
        s['PutObject'] ? [s['PutObject'] as { Count: number; BytesIn: number }] : [],
      );
      count = puts.reduce((n, p) => n + p.Count, 0);
      bytesIn = puts.reduce((n, p) => n + p.BytesIn, 0);
    }
    const samples = usage!.Access.Nodes.flatMap((n) => n.Samples);
    expect(usage!.Access.Nodes[0]!.Node).toMatch(/^s3-/);
    expect(samples[0]!['StartTime']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(count).toBeGreaterThanOrEqual(5);
    expect(bytesIn).toBeGreaterThanOrEqual(4096 + 350);
    const last = usage!.Storage.Samples.at(-1)!;
    expect(last['acct']).toEqual(
      await listed().then((u) => ({ Objects: u.objects, Bytes: u.bytes })),
    );
    expect(usage!.Storage.Errors).toEqual([]);
  });

  it('usage: XML by the x option or the Accept header; not_requested parts', async () => {
    const xml = await get(`/riak-cs/usage/${server.keyId}/abx`, admin());
    expect(xml.type).toContain('application/xml');
    expect(xml.text).toMatch(/<Usage><Access><Nodes><Node name="s3-[^"]+"><Sample StartTime="/);
    expect(xml.text).toMatch(/<Operation type="PutObject"><Count>\d+<\/Count>/);
    expect(xml.text).toMatch(/<Bucket name="acct"><Objects>\d+<\/Objects><Bytes>\d+<\/Bytes>/);
    const accept = await get(`/riak-cs/usage/${server.keyId}`, admin(), {
      accept: 'application/xml',
    });
    expect(accept.text).toContain('<Access>not_requested</Access>');
    const none = await get(`/riak-cs/usage/${server.keyId}`, admin());
    expect(JSON.parse(none.text)).toEqual({ Access: 'not_requested', Storage: 'not_requested' });
  });

  it('usage: a user reads its own usage, never another user’s', async () => {
    const own = await get(`/riak-cs/usage/${alice.keyId}/ab`, alice);
    expect(own.status).toBe(200);
    const other = await get(`/riak-cs/usage/${server.keyId}/ab`, alice);
    expect(other.status).toBe(403);
    expect(other.text).toContain('AccessDenied');
  });

  it('usage: bad dates, unknown letters and unknown users are clear 4xx errors', async () => {
    const cases: Array<[string, number, RegExp]> = [
      [`${server.keyId}/a/20261332T000000Z`, 400, /Invalid start-time format/],
      [`${server.keyId}/a/20260101T000000Z/yesterday`, 400, /Invalid end-time format/],
      [`${server.keyId}/aq`, 400, /Unknown option letter "q"/],
      [`${server.keyId}/ajx`, 400, /exclude each other/],
      [`${server.keyId}/a/20000101T000000Z/20260101T000000Z`, 400, /Too much time/],
      ['NOSUCHKEY0000000000/a', 404, /Unknown user/],
    ];
    for (const [path, status, message] of cases) {
      const answer = await get(`/riak-cs/usage/${path}`, admin());
      expect([path, answer.status]).toEqual([path, status]);
      expect(JSON.parse(answer.text)).toEqual({
        Error: { Message: expect.stringMatching(message) },
      });
    }
    const xml = await get(`/riak-cs/usage/${server.keyId}/ax/2026`, admin());
    expect(xml.text).toMatch(/<Error><Message>Invalid start-time format/);
    expect(server.errorLogs()).toEqual([]);
  });
});

describe('usage: GET /metrics', () => {
  it('metrics: request, latency, error and byte series exist and move', async () => {
    const scrape = async () => (await fetch(`${server.url}/metrics`)).text();
    const value = (text: string, series: string) =>
      Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    const putSeries = 'cairn_s3_requests_total{operation="PutObject",status="200"}';
    const before = await scrape();
    await put('metrics-probe', 1000);
    await get('/acct/no-such-key', admin());
    const after = await scrape();
    expect(value(after, putSeries)).toBe(value(before, putSeries) + 1);
    const bytesIn = 'cairn_s3_received_bytes_total{operation="PutObject"}';
    expect(value(after, bytesIn)).toBe(value(before, bytesIn) + 1000);
    const errors = 'cairn_s3_errors_total{operation="GetObject",status="404"}';
    expect(value(after, errors)).toBe(value(before, errors) + 1);
    expect(after).toContain(
      'cairn_s3_request_duration_seconds_bucket{le="0.005",operation="PutObject"}',
    );
    for (const name of ['cairn_gc_collected_total', 'cairn_ring_read_repairs_total']) {
      expect(after).toContain(`# TYPE ${name} counter`);
    }
    expect(after).toContain('process_resident_memory_bytes');
  });

  it('metrics: a signed GET /metrics is still S3 (a bucket named metrics)', async () => {
    const answer = await get('/metrics', admin());
    expect(answer.status).toBe(404);
    expect(answer.text).toContain('NoSuchBucket');
  });
});

describe('usage: a second process', () => {
  const started: CairnProcess[] = [];
  afterAll(async () => {
    for (const p of started) await p.cleanup();
  });

  it('metrics: with --metrics-token a scrape needs the bearer token', async () => {
    const p = await startCairn({ args: ['--metrics-token', 'sesame'] });
    started.push(p);
    expect((await fetch(`${p.url}/metrics`)).status).toBe(403);
    const wrong = await fetch(`${p.url}/metrics`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(403);
    const right = await fetch(`${p.url}/metrics`, { headers: { authorization: 'Bearer sesame' } });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('cairn_s3_requests_total');
  });

  it('usage: the reconciler heals counters a killed front end lost (kill -9)', async () => {
    const env = { CAIRN_USAGE_FLUSH_SECONDS: '3600', CAIRN_USAGE_RECONCILE_SECONDS: '0' };
    const first = await startCairn({ env });
    const client = s3Client(first);
    const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
    await client.send(new CreateBucketCommand({ Bucket: 'healed' }));
    for (const [key, size] of [
      ['x', 10],
      ['y', 20],
      ['z', 30],
    ] as const) {
      await client.send(
        new PutObjectCommand({ Bucket: 'healed', Key: key, Body: 'a'.repeat(size) }),
      );
    }
    client.destroy();
    await first.cleanup({ keepData: true }); // SIGKILL: the unflushed deltas are lost
    const second = await startCairn({ dataDir: first.dataDir, env: FAST_USAGE });
    started.push(second);
    const creds = { keyId: second.keyId, secret: second.secret };
    const read = async () => {
      const res = await signedFetch(second.url, `/riak-cs/storage?bucket=healed`, {
        credentials: creds,
      });
      const user = (JSON.parse(await res.text()) as StorageJson).Users[0]!;
      return { objects: user.Objects, bytes: user.Bytes };
    };
    expect(await read()).toEqual({ objects: 0, bytes: 0 }); // the injected error
    let healed = await read();
    for (let i = 0; i < 40 && healed.objects !== 3; i++) {
      await sleep(250);
      healed = await read();
    }
    expect(healed).toEqual({ objects: 3, bytes: 60 });
    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    expect(metrics).toMatch(/cairn_usage_reconciles_total\{outcome="corrected"\} [1-9]/);
  });
});
