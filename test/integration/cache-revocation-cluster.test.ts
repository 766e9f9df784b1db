/**
 * The record cache in a cluster (scripts/dev-cluster.sh: one node, two stanchions, two
 * `cairn s3` front ends): a revocation made through one front end is refused on the very
 * next request through either (test/helpers/revocations.ts); and with no stanchion
 * reachable, both front ends keep serving reads and writes from the ring, as before caching.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevCluster, type DevCluster } from '../helpers/dev-cluster.js';
import { revocationTests } from '../helpers/revocations.js';
import { codeOf } from '../helpers/s3-errors.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { s3ClientNoRetry } from '../helpers/s3-client.js';

let cluster: DevCluster;
let endpointB: string;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  cluster = await startDevCluster(1);
  await cluster.script('restart', 's3b');
  endpointB = `http://127.0.0.1:${cluster.basePort + 81}`;
  for (
    let i = 0;
    !(await fetch(endpointB).then(
      () => true,
      () => false,
    ));
    i++
  ) {
    if (i > 100) throw new Error('the second front end did not start');
    await sleep(100);
  }
}, 120_000);

afterAll(async () => {
  await cluster?.cleanup();
}, 60_000);

function clientAs(endpoint: string, keys: { keyId: string; secret: string }): S3Client {
  return s3ClientNoRetry({ url: endpoint, keyId: keys.keyId, secret: keys.secret });
}

const client = (endpoint: string) => clientAs(endpoint, cluster);

/** A new user, made through the first front end (stanchion must be up). */
async function newUserKeys(): Promise<{ keyId: string; secret: string }> {
  for (let i = 0; ; i++) {
    const res = await signedFetch(cluster.endpoint, '/riak-cs/user', {
      method: 'POST',
      credentials: cluster,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ email: `paused-${Date.now()}@x.io`, name: 'paused' }),
    });
    const text = await res.text();
    if (res.status === 201) {
      const json = JSON.parse(text) as Record<string, string>;
      return { keyId: json['key_id']!, secret: json['key_secret']! };
    }
    // 503 until the front end's stanchion client finds the new active one.
    if (i > 40) throw new Error(`user not created: ${res.status} ${text}`);
    await sleep(250);
  }
}

describe('record cache: revocations bite on the next request (2 front ends)', () => {
  revocationTests(
    () => ({
      mutateUrl: cluster.endpoint,
      checkUrls: [endpointB, cluster.endpoint],
      admin: cluster,
    }),
    60_000,
  );
});

async function activeStanchions(): Promise<string[]> {
  const out = await cluster.admin('stanchion', 'status', '--json').catch((e: Error) => e.message);
  const json = out.slice(out.indexOf('['), out.lastIndexOf(']') + 1);
  const all = JSON.parse(json || '[]') as Array<{ address: string; status?: { role: string } }>;
  return all.filter((s) => s.status?.role === 'active').map((s) => s.address);
}

async function signedAdmin(path: string, body: object): Promise<number> {
  const res = await signedFetch(cluster.endpoint, path, {
    method: 'PUT',
    credentials: cluster,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('record cache: the active stanchion paused (2 front ends)', () => {
  it('keeps serving; after failover a revocation still bites on the next request', async () => {
    const s3 = client(cluster.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'paused' }));
    await s3.send(new PutObjectCommand({ Bucket: 'paused', Key: 'k', Body: 'v' }));
    const before = await activeStanchions();
    expect(before).toHaveLength(1);
    await cluster.script('pause', 'stanchion');
    try {
      for (const endpoint of [endpointB, cluster.endpoint, endpointB, cluster.endpoint]) {
        const started = Date.now();
        const got = await client(endpoint).send(
          new GetObjectCommand({ Bucket: 'paused', Key: 'k' }),
        );
        expect(await got.Body!.transformToString()).toBe('v');
        // At most one check waits for the paused stanchion's timeout (1 s per address).
        expect(Date.now() - started).toBeLessThan(5000);
      }
      let after: string[] = [];
      for (let i = 0; i < 120; i++) {
        after = (await activeStanchions()).filter((a) => !before.includes(a));
        if (after.length === 1) break;
        await sleep(250);
      }
      expect(after).toHaveLength(1);
      const user = await newUserKeys();
      const list = (endpoint: string) =>
        codeOf(clientAs(endpoint, user).send(new ListObjectsV2Command({ Bucket: 'paused' })));
      expect(await list(endpointB)).toBe('AccessDenied'); // not the owner's bucket
      expect(await list(cluster.endpoint)).toBe('AccessDenied');
      const status = await signedAdmin(`/riak-cs/user/${user.keyId}`, { status: 'disabled' });
      expect(status).toBe(200);
      const buckets = (endpoint: string) =>
        codeOf(clientAs(endpoint, user).send(new ListBucketsCommand({})));
      expect(await buckets(endpointB)).toBe('AccessDenied');
      expect(await buckets(cluster.endpoint)).toBe('AccessDenied');
    } finally {
      await cluster.script('resume', 'stanchion1').catch(() => undefined);
      await cluster.script('resume', 'stanchion2').catch(() => undefined);
    }
  }, 90_000);
});

describe('record cache: no stanchion reachable (2 front ends)', () => {
  it('serves GET and PUT through both front ends from the ring', async () => {
    await client(cluster.endpoint).send(new CreateBucketCommand({ Bucket: 'no-stanchion' }));
    await cluster.script('kill', 'stanchion1').catch(() => undefined);
    await cluster.script('kill', 'stanchion2').catch(() => undefined);
    for (const endpoint of [cluster.endpoint, endpointB, cluster.endpoint, endpointB]) {
      const s3 = client(endpoint);
      const started = Date.now();
      await s3.send(new PutObjectCommand({ Bucket: 'no-stanchion', Key: 'k', Body: endpoint }));
      const got = await s3.send(new GetObjectCommand({ Bucket: 'no-stanchion', Key: 'k' }));
      expect(await got.Body!.transformToString()).toBe(endpoint);
      // A dead stanchion refuses connections at once: no request waits for a timeout.
      expect(Date.now() - started).toBeLessThan(5000);
    }
  }, 60_000);
});
