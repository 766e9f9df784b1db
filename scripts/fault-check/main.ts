/**
 * The replication checker (issue 5): a 5-node dev cluster (n_val=3, w=2) under a bounded
 * PUT/overwrite/DELETE workload while a fault script kill -9s a node and restarts it,
 * SIGSTOPs another for a while, and wipes a third's data dir. After the faults heal and
 * anti-entropy settles, every acknowledged write must read back with its bytes, no
 * acknowledged delete may be undone, and all replicas of every key must agree.
 *
 *   node dist/scripts/fault-check/main.js [--keys 40] [--pause-seconds 20] [--settle-seconds 180]
 *     [--versioned]
 *
 * --versioned runs the versioned workload instead (versioned.ts): no acknowledged version
 * may be lost, and every replica must list the same versions.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectClusterRing } from '../../src/commands/cluster-ring.js';
import { readBucket } from '../../stanchion/reader.js';
import { HttpTransport } from '../../ring/transport/http-transport.js';
import { InternalClient } from '../../ring/transport/internal-client.js';
import { freeBasePort, startCluster, type CheckCluster } from './cluster.js';
import { manifestDigests, manifestNodes, missingBlockReplicas } from './replicas.js';
import { KEYSPACES } from '../../ring/keyspaces.js';
import { decodeManifest } from '../../src/objects/manifest.js';
import { runWorkload, type Expectations } from './workload.js';
import {
  runVersionedWorkload,
  verifyVersions,
  versionListings,
  versionNodes,
} from './versioned.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stdout.write(`${line}\n`);

/** Kills, pauses and wipes the three nodes holding the bucket's manifests, in turn. */
async function injectFaults(
  cluster: CheckCluster,
  targets: string[],
  pauseSeconds: number,
): Promise<number> {
  const [killed, paused, wiped] = targets as [string, string, string];
  await sleep(2000);
  log(`fault: kill -9 ${killed}, restart after 3 s`);
  cluster.run('kill', killed);
  await sleep(3000);
  cluster.run('restart', killed);
  await sleep(3000);
  log(`fault: SIGSTOP ${paused} for ${pauseSeconds} s`);
  cluster.run('pause', paused);
  await sleep(pauseSeconds * 1000);
  cluster.run('resume', paused);
  await sleep(3000);
  log(`fault: kill -9 ${wiped}, wipe its data dir, restart`);
  cluster.run('kill', wiped);
  rmSync(join(cluster.dir, wiped), { recursive: true, force: true });
  cluster.run('restart', wiped);
  await sleep(3000);
  return 3;
}

async function verify(
  s3: S3Client,
  expected: Expectations,
): Promise<{ verified: number; lost: string[] }> {
  const lost: string[] = [];
  for (const [key, possible] of expected) {
    let state = 'deleted';
    try {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'checked', Key: key }));
      const bytes = await got.Body!.transformToByteArray();
      state = createHash('md5').update(bytes).digest('hex');
    } catch (error) {
      if ((error as Error).name !== 'NoSuchKey') state = `error: ${(error as Error).message}`;
    }
    if (!possible.has(state)) lost.push(`${key}: read ${state}, expected one of ${[...possible]}`);
  }
  return { verified: expected.size, lost };
}

async function connect(cluster: CheckCluster) {
  const nodes = [1, 2, 3, 4, 5].map((i) => `127.0.0.1:${cluster.basePort + i}`);
  // dev-cluster.sh made the cluster's cookie and keeps it in its directory.
  const cookie = readFileSync(join(cluster.dir, 'cookie'), 'utf8').trim();
  const internal = new InternalClient({ cookie });
  const ring = await connectClusterRing(nodes, internal, { nVal: 3, r: 2, w: 2 });
  const transport = new HttpTransport((id) => ring.remote.addressOf(id), internal);
  const bucket = (await readBucket(ring.client, 'checked'))!;
  return { ring, transport, bucket, close: () => (ring.close(), transport.close()) };
}

/** Waits until every key's manifest and its live version's blocks agree on all replicas. */
async function replicasAgree(cluster: CheckCluster, keys: string[], deadlineMs: number) {
  const { ring, transport, bucket, close } = await connect(cluster);
  let disagreeing = keys;
  while (disagreeing.length > 0 && Date.now() < deadlineMs) {
    const next: string[] = [];
    for (const key of disagreeing) {
      const digests = await manifestDigests(transport, ring.remote.ring, 3, bucket.id, key).catch(
        () => undefined,
      );
      let agree = digests !== undefined && new Set(digests).size === 1;
      const value = agree ? await ring.client.get(KEYSPACES.manifests, bucket.id, key) : undefined;
      if (value) {
        const m = decodeManifest(value);
        const gaps = await missingBlockReplicas(
          transport,
          ring.remote.ring,
          3,
          m.versionId,
          m.blockCount,
        );
        agree = gaps === 0;
      }
      if (!agree) next.push(key);
    }
    disagreeing = next;
    if (disagreeing.length > 0) await sleep(2000);
  }
  close();
  return disagreeing;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      keys: { type: 'string', default: '40' },
      'pause-seconds': { type: 'string', default: '20' },
      'settle-seconds': { type: 'string', default: '180' },
      'base-port': { type: 'string' },
      versioned: { type: 'boolean', default: false },
    },
  });
  const basePort = values['base-port'] ? Number(values['base-port']) : await freeBasePort();
  const cluster = startCluster(5, basePort);
  let failed = true;
  try {
    const started = cluster.run('start', '5');
    cluster.run('join');
    const keyId = /^AWS_ACCESS_KEY_ID=(\S+)$/m.exec(started)![1]!;
    const secret = /^AWS_SECRET_ACCESS_KEY=(\S+)$/m.exec(started)![1]!;
    const endpoint = /^S3_ENDPOINT=(\S+)$/m.exec(started)![1]!;
    const s3 = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: keyId, secretAccessKey: secret },
    });
    await waitForConvergence(cluster);
    await retry(() => s3.send(new CreateBucketCommand({ Bucket: 'checked' })));
    const keys = Array.from({ length: Number(values.keys) }, (_, i) => `key-${i}`);
    if (values.versioned) {
      const settleMs = Number(values['settle-seconds']) * 1000;
      failed = await checkVersioned(cluster, s3, keys, Number(values['pause-seconds']), settleMs);
      s3.destroy();
      return failed ? 1 : 0;
    }
    const view = await connect(cluster);
    const targets = manifestNodes(view.ring.remote.ring, 3, view.bucket.id).map(
      (n) => n.split('@')[0]!,
    );
    view.close();
    let stop = false;
    const workload = runWorkload(s3, 'checked', keys, 4, () => stop);
    const faults = await injectFaults(cluster, targets, Number(values['pause-seconds']));
    stop = true;
    const { expected, stats } = await workload;
    log(`workload: ${stats.acknowledged} operations acknowledged, ${stats.failed} failed`);
    const deadline = Date.now() + Number(values['settle-seconds']) * 1000;
    const disagreeing = await replicasAgree(cluster, keys, deadline);
    const { verified, lost } = await verify(s3, expected);
    for (const line of lost) log(`LOST ${line}`);
    if (lost.length > 0)
      await explainLost(
        cluster,
        lost.map((l) => l.split(':')[0]!),
      );
    for (const key of disagreeing) log(`DISAGREE ${key}`);
    log(`operations acknowledged: ${stats.acknowledged}`);
    log(`faults injected: ${faults}`);
    log(`keys verified: ${verified}`);
    log(`replicas disagreeing: ${disagreeing.length}`);
    log(`lost = ${lost.length}`);
    s3.destroy();
    failed = lost.length > 0 || disagreeing.length > 0;
    return failed ? 1 : 0;
  } finally {
    if (failed && process.env.CAIRN_CHECK_KEEP_ON_FAILURE) log(`kept ${cluster.dir}`);
    else cluster.stop();
  }
}

/** The versioned run: faults on the nodes of the bucket's version records. */
async function checkVersioned(
  cluster: CheckCluster,
  s3: S3Client,
  keys: string[],
  pauseSeconds: number,
  settleMs: number,
): Promise<boolean> {
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: 'checked',
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
  const view = await connect(cluster);
  const targets = versionNodes(view.ring.remote.ring, 3, view.bucket.id).map(
    (n) => n.split('@')[0]!,
  );
  view.close();
  let stop = false;
  const workload = runVersionedWorkload(s3, 'checked', keys, 4, () => stop);
  const faults = await injectFaults(cluster, targets, pauseSeconds);
  stop = true;
  const { acked, acknowledged, failed } = await workload;
  log(`workload: ${acknowledged} operations acknowledged, ${failed} failed`);
  const deadline = Date.now() + settleMs;
  let listings: string[] = [];
  const { ring, transport, bucket, close } = await connect(cluster);
  for (;;) {
    listings = await versionListings(transport, ring.remote.ring, 3, bucket.id).catch(() => []);
    if (new Set(listings).size === 1 || Date.now() > deadline) break;
    await sleep(2000);
  }
  close();
  const disagreeing = new Set(listings).size === 1 ? 0 : 1;
  const lost = await verifyVersions(s3, 'checked', acked);
  for (const line of lost) log(`LOST ${line}`);
  const versions = [...acked.values()].reduce((n, m) => n + m.size, 0);
  log(`operations acknowledged: ${acknowledged}`);
  log(`faults injected: ${faults}`);
  log(`versions verified: ${versions}`);
  log(`replicas disagreeing: ${disagreeing}`);
  log(`lost = ${lost.length}`);
  return lost.length > 0 || disagreeing > 0;
}

/** For each lost key: every primary replica's sibling values (what was kept, and where). */
async function explainLost(cluster: CheckCluster, keys: string[]): Promise<void> {
  const { ring, bucket, close } = await connect(cluster);
  for (const key of keys) {
    const read = await ring.client.getVersioned(KEYSPACES.manifests, bucket.id, key);
    const versions = read.state.siblings.map((s) =>
      s.value === null
        ? `tombstone@${s.dot.join(':')}`
        : `${decodeManifest(s.value).etag}@${s.dot.join(':')}`,
    );
    log(`LOST ${key} siblings now: ${versions.join(', ') || 'none'}`);
  }
  close();
}

/** Retries a set-up step for up to 30 s (the cluster may still be settling). */
async function retry<T>(step: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (attempt >= 30) throw error;
      await sleep(1000);
    }
  }
}

async function waitForConvergence(cluster: CheckCluster): Promise<void> {
  for (let i = 0; i < 240; i++) {
    const rows = cluster
      .run('status')
      .split('\n')
      .filter((l) => l.startsWith('valid'));
    if (rows.length === 5 && rows.every((row) => row.includes(' -- '))) return;
    await sleep(500);
  }
  throw new Error('cluster did not converge');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`fault-check: ${String(error)}\n`);
    process.exit(2);
  },
);
