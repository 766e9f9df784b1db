/**
 * Mutual TLS between a cluster's processes (--internal-tls-cert/-key/-ca, here through the
 * CAIRN_INTERNAL_TLS_* variables dev-cluster.sh passes on): a 3-node cluster with two
 * stanchions and a front end, a CA and certificates made by openssl in the test. The
 * cluster joins and serves S3; cairn-admin works with the certificate; a client without a
 * certificate, with one from another CA, or speaking plain HTTP is refused at the
 * connection, a client that trusts another CA refuses the node, and a certificate alone
 * (without the cookie's signature) opens nothing.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { peerCall } from '../../ring/transport/peer-client.js';
import { InternalClient } from '../../ring/transport/internal-client.js';
import { startDevCluster, type DevCluster } from '../helpers/dev-cluster.js';
import { s3Client } from '../helpers/s3-client.js';
import { makeTestCa, readTestCert, type TestCert } from '../helpers/test-ca.js';

let dir: string;
let cluster: DevCluster;
let s3: S3Client;
let ours: TestCert;
let other: TestCert;
let dev1: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-tls-'));
  ours = await makeTestCa(dir, 'cluster');
  other = await makeTestCa(dir, 'other');
  cluster = await startDevCluster(3, {
    CAIRN_INTERNAL_TLS_CERT: ours.cert,
    CAIRN_INTERNAL_TLS_KEY: ours.key,
    CAIRN_INTERNAL_TLS_CA: ours.ca,
  });
  dev1 = `127.0.0.1:${cluster.basePort + 1}`;
  await cluster.script('join');
  s3 = s3Client({ url: cluster.endpoint, keyId: cluster.keyId, secret: cluster.secret });
}, 180_000);

afterAll(async () => {
  s3?.destroy();
  await cluster?.cleanup();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

/** GET https://dev1/path with the given TLS options; the status, or the error's code. */
function tlsGet(options: Record<string, unknown>, path = '/ping'): Promise<number | string> {
  return new Promise((resolve) => {
    const outgoing = request(`https://${dev1}${path}`, { ...options, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('timeout')));
    outgoing.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    outgoing.end();
  });
}

it('the cluster joins over mutual TLS and serves S3 (n_val 3 across the three nodes)', async () => {
  const status = await cluster.script('status');
  for (const name of ['dev1', 'dev2', 'dev3'])
    expect(status).toMatch(new RegExp(`valid.*${name}@`));
  await s3.send(new CreateBucketCommand({ Bucket: 'tls' }));
  await s3.send(new PutObjectCommand({ Bucket: 'tls', Key: 'k', Body: 'over mutual TLS' }));
  const got = await s3.send(new GetObjectCommand({ Bucket: 'tls', Key: 'k' }));
  expect(await got.Body!.transformToString()).toBe('over mutual TLS');
  const stanchions = await cluster.script('stanchion');
  expect(stanchions).toMatch(/active/);
});

it('a certificate of the cluster CA connects; the signature is still needed', async () => {
  const mine = await readTestCert(ours);
  expect(await tlsGet(mine)).toBe(200);
  expect(await tlsGet(mine, '/ring')).toBe(401);
  const client = new InternalClient({ cookie: cluster.cookie, tls: mine });
  const ring = await peerCall<{ members: unknown[] }>(client, dev1, '/ring');
  expect(ring.members).toHaveLength(3);
  client.close();
});

it("refuses a client without a certificate, with another CA's, or in plain HTTP", async () => {
  const mine = await readTestCert(ours);
  const theirs = await readTestCert(other);
  const refused = [
    await tlsGet({ ca: mine.ca }),
    await tlsGet({ ca: mine.ca, cert: theirs.cert, key: theirs.key }),
  ];
  for (const answer of refused) expect(typeof answer, String(answer)).toBe('string');
  const plain = await fetch(`http://${dev1}/ping`).then(
    (r) => r.status,
    (e: Error) => e.message,
  );
  expect(plain).not.toBe(200);
});

it('a client that trusts another CA refuses the node (the server is checked too)', async () => {
  const theirs = await readTestCert(other);
  const mine = await readTestCert(ours);
  const client = new InternalClient({
    cookie: cluster.cookie,
    tls: { cert: mine.cert, key: mine.key, ca: theirs.ca },
  });
  await expect(peerCall(client, dev1, '/ring')).rejects.toThrow(/certificate/i);
  client.close();
});
