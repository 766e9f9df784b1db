/**
 * Lifecycle in a real 3-node cluster (scripts/dev-cluster.sh, n_val=3, a 2 s lifecycle day):
 * the front end runs no worker; each storage node walks the buckets whose manifests'
 * partition it is primary for. Every bucket is walked by exactly one node per pass, and
 * what the rules name expires through the cluster's delete path.
 */
import {
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDevCluster, type DevCluster } from '../helpers/dev-cluster.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { s3Client } from '../helpers/s3-client.js';

const BUCKETS = ['lc-c1', 'lc-c2', 'lc-c3', 'lc-c4', 'lc-c5', 'lc-c6'];
let cluster: DevCluster;
let s3: S3Client;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  cluster = await startDevCluster(3, { CAIRN_LIFECYCLE_DAY_SECONDS: '2' });
  await cluster.script('join');
  s3 = s3Client({ url: cluster.endpoint, keyId: cluster.keyId, secret: cluster.secret });
}, 120_000);

afterAll(async () => {
  s3?.destroy();
  await cluster?.cleanup();
}, 60_000);

interface Worker {
  workerId: string;
  lastPass?: { counts: { buckets: number; expired: number } };
}

it('lifecycle: each node expires in the buckets it is primary for', async () => {
  for (const Bucket of BUCKETS) {
    const res = await signedFetch(cluster.endpoint, `/${Bucket}`, {
      method: 'PUT',
      credentials: cluster,
    });
    expect(res.status).toBe(200);
    for (const Key of ['tmp/a', 'tmp/b', 'keep/c']) {
      await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
    }
    const Rules = [
      {
        ID: 'tmp',
        Status: 'Enabled' as const,
        Filter: { Prefix: 'tmp/' },
        Expiration: { Days: 1 },
      },
    ];
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules } }),
    );
  }
  const left = async () => {
    let count = 0;
    for (const Bucket of BUCKETS) {
      count += (await s3.send(new ListObjectsV2Command({ Bucket }))).KeyCount ?? 0;
    }
    return count;
  };
  for (let i = 0; i < 60 && (await left()) > BUCKETS.length; i++) await sleep(500);
  expect(await left()).toBe(BUCKETS.length);
  const res = await signedFetch(cluster.endpoint, '/riak-cs/lifecycle', { credentials: cluster });
  const { workers } = (await res.json()) as { workers: Worker[] };
  expect(workers.map((w) => w.workerId.split('@')[0]).sort()).toEqual(['dev1', 'dev2', 'dev3']);
  // Each worker's last pass walked the buckets it owns: together, every bucket once.
  await sleep(3000);
  const again = (await (
    await signedFetch(cluster.endpoint, '/riak-cs/lifecycle', { credentials: cluster })
  ).json()) as { workers: Worker[] };
  const walked = again.workers.reduce((n, w) => n + (w.lastPass?.counts.buckets ?? 0), 0);
  expect(walked).toBe(BUCKETS.length);
}, 120_000);
