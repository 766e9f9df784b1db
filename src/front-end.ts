/**
 * An S3 front end over a ring client and a stanchion client: the object layer, the GC
 * collector and the fastify app, listening. The embedded store and `cairn s3` both use it;
 * only where the ring and stanchion are differs.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { RingClient } from '../ring/client.js';
import type { StanchionClient } from '../stanchion/client.js';
import { GcQueue } from './objects/gc-queue.js';
import { PART_BYTES_MIN } from './objects/multipart.js';
import { MultipartStore } from './objects/multipart-store.js';
import { ObjectStore } from './objects/object-store.js';
import { buildS3App } from './s3/app.js';
import type { S3Deps } from './s3/context.js';

/** Settings of an S3 front end. */
export interface FrontEndOptions {
  host: string;
  port: number;
  region: string;
  anonymousUserCreation: boolean;
  virtualHostBase?: string;
  blockSizeBytes: number;
  /** Smallest non-last part on CompleteMultipartUpload; S3's 5 MiB unless a test lowers it. */
  partBytesMin?: number;
  gcLeewaySeconds: number;
  logLevel: string;
  /** Deadline for a request's line and headers, in ms; see S3AppOptions. */
  headersTimeoutMs?: number;
}

/** A listening front end. */
export interface FrontEnd {
  url: string;
  app: FastifyInstance;
  deps: S3Deps;
  close(): Promise<void>;
}

const GC_INTERVAL_MS = 60_000;

/** Builds the front end's dependencies (without listening). */
export function frontEndDeps(
  ring: RingClient,
  stanchion: StanchionClient,
  options: FrontEndOptions,
): { deps: S3Deps; gc: GcQueue } {
  const gc = new GcQueue(ring, options.gcLeewaySeconds * 1000);
  const objects = new ObjectStore(
    ring,
    gc,
    { blockSize: options.blockSizeBytes, inFlightMax: 4, objectBytesMax: 5 * 1024 ** 3 },
    Date.now,
  );
  const multipart = new MultipartStore(
    ring,
    gc,
    objects,
    {
      blockSize: options.blockSizeBytes,
      inFlightMax: 4,
      partBytesMax: 5 * 1024 ** 3,
      partBytesMin: options.partBytesMin ?? PART_BYTES_MIN,
    },
    Date.now,
  );
  const deps: S3Deps = {
    ring,
    stanchion,
    objects,
    multipart,
    config: {
      region: options.region,
      anonymousUserCreation: options.anonymousUserCreation,
      ...(options.virtualHostBase ? { virtualHostBase: options.virtualHostBase } : {}),
    },
    clock: Date.now,
    newId: randomUUID,
    randomBytes,
  };
  return { deps, gc };
}

/** Starts listening with the given dependencies, and the periodic GC pass. */
export async function startFrontEnd(
  built: { deps: S3Deps; gc: GcQueue },
  options: FrontEndOptions,
): Promise<FrontEnd> {
  const app = buildS3App(built.deps, {
    logLevel: options.logLevel,
    ...(options.headersTimeoutMs ? { headersTimeoutMs: options.headersTimeoutMs } : {}),
  });
  const address = await app.listen({ host: options.host, port: options.port });
  const gcTimer = setInterval(() => {
    built.gc.collectDue(Date.now()).catch((error) => app.log.warn({ err: error }, 'gc failed'));
  }, GC_INTERVAL_MS);
  gcTimer.unref();
  return {
    url: address.replace('[::1]', 'localhost'),
    app,
    deps: built.deps,
    async close() {
      clearInterval(gcTimer);
      await app.close();
    },
  };
}
