/**
 * The embedded store: one process with an S3 front end, a stanchion and one storage node,
 * wired through the same interfaces a cluster uses (ring client over a transport, stanchion
 * client), only with the transport in-process. It is what `cairn start` and the tests run.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { RingClient } from '../ring/client.js';
import { openStorageNode } from '../ring/node/open-node.js';
import { InProcessTransport } from '../ring/transport/transport.js';
import { LocalStanchionClient } from '../stanchion/client.js';
import type { UserRecord } from '../stanchion/core/records.js';
import { readUserByKey } from '../stanchion/reader.js';
import { StanchionServer } from '../stanchion/server.js';
import { newUser } from './admin/users.js';
import { GcQueue } from './objects/gc-queue.js';
import { ObjectStore } from './objects/object-store.js';
import { buildS3App } from './s3/app.js';
import type { S3Deps } from './s3/context.js';

/** Settings of `cairn start`. */
export interface EmbeddedOptions {
  host: string;
  port: number;
  dataDir: string;
  partitionCount: number;
  anonymousUserCreation: boolean;
  blockSizeBytes: number;
  gcLeewaySeconds: number;
  logLevel: string;
  region: string;
  virtualHostBase?: string;
}

/** A running embedded store. */
export interface EmbeddedStore {
  url: string;
  dataDir: string;
  admin: { keyId: string; secret: string };
  app: FastifyInstance;
  close(): Promise<void>;
}

const NODE_ID = 'node1@127.0.0.1';
const GC_INTERVAL_MS = 60_000;

/** Opens the data dir, starts every layer, and listens. */
export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedStore> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const node = await openStorageNode({
    dataDir: join(dataDir, 'node'),
    nodeId: NODE_ID,
    partitionCount: options.partitionCount,
    sync: true,
  });
  const transport = new InProcessTransport();
  transport.register(node.nodeId, node.handler);
  const ring = new RingClient({
    ring: () => node.ring,
    upNodes: () => new Set([node.nodeId]),
    transport,
    quorum: { nVal: 1, r: 1, w: 1 },
    timeoutMs: 10_000,
  });
  const stanchion = await StanchionServer.open(join(dataDir, 'stanchion'), ring);
  const gc = new GcQueue(ring, options.gcLeewaySeconds * 1000);
  const objects = new ObjectStore(
    ring,
    gc,
    { blockSize: options.blockSizeBytes, inFlightMax: 4, objectBytesMax: 5 * 1024 ** 3 },
    Date.now,
  );
  const deps: S3Deps = {
    ring,
    stanchion: new LocalStanchionClient(stanchion),
    objects,
    config: {
      region: options.region,
      anonymousUserCreation: options.anonymousUserCreation,
      ...(options.virtualHostBase ? { virtualHostBase: options.virtualHostBase } : {}),
    },
    clock: Date.now,
    newId: randomUUID,
    randomBytes,
  };
  const admin = await ensureAdmin(deps, dataDir);
  const app = buildS3App(deps, { logLevel: options.logLevel });
  const address = await app.listen({ host: options.host, port: options.port });
  const gcTimer = setInterval(() => {
    gc.collectDue(Date.now()).catch((error) => app.log.warn({ err: error }, 'gc pass failed'));
  }, GC_INTERVAL_MS);
  gcTimer.unref();
  return {
    url: address.replace('[::1]', 'localhost'),
    dataDir,
    admin: { keyId: admin.keyId, secret: admin.secret },
    app,
    async close() {
      clearInterval(gcTimer);
      await app.close();
      await stanchion.close();
      await node.close();
    },
  };
}

/** The admin user: created on first start, read back from the data dir after that. */
async function ensureAdmin(deps: S3Deps, dataDir: string): Promise<UserRecord> {
  const path = join(dataDir, 'admin.json');
  const saved = await readFile(path, 'utf8').then(
    (text) => JSON.parse(text) as { keyId: string },
    () => undefined,
  );
  if (saved) {
    const user = await readUserByKey(deps.ring, saved.keyId);
    if (user) return user;
    throw new Error(`${path} names admin key ${saved.keyId}, which this data dir does not hold`);
  }
  const user = newUser(deps, 'admin@cairn.local', 'admin', true);
  const result = await deps.stanchion.execute({ type: 'create-user', user });
  if (!result.ok) throw new Error(`could not create the admin user: ${result.detail}`);
  await writeFile(path, JSON.stringify({ keyId: user.keyId, secret: user.secret }) + '\n');
  await chmod(path, 0o600);
  return user;
}
