/**
 * The record cache in a cluster (scripts/dev-cluster.sh: one node, two stanchions, two
 * `cairn s3` front ends): a revocation made through one front end is refused on the very
 * next request through either (test/helpers/revocations.ts); and with no stanchion
 * reachable, both front ends keep serving reads and writes from the ring, as before caching.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevCluster, type DevCluster } from '../helpers/dev-cluster.js';
import { revocationTests } from '../helpers/revocations.js';

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

function client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: cluster.keyId, secretAccessKey: cluster.secret },
  });
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
