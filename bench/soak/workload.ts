/**
 * The soak's mixed workload through the AWS SDK (default retries, as users run it): small
 * and large PUTs (a PUT of a key that exists is an overwrite), multipart uploads, GETs that
 * check bytes, deletes and listings, `concurrency` workers at once. Each worker owns its own
 * keys (`wI/kJ`), so no two requests race on one key and the ledger knows what each key may
 * hold; the number of keys is fixed, so the live data set stays bounded while the cluster
 * keeps overwriting and deleting.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { KeyState, Ledger } from './ledger.js';
import type { LatencyWindows, SoakOp } from './window.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** Relative weights of the operations. */
const MIX: ReadonlyArray<[SoakOp, number]> = [
  ['put-small', 30],
  ['put-large', 5],
  ['multipart', 2],
  ['get', 35],
  ['delete', 12],
  ['list', 8],
];
const MIX_TOTAL = MIX.reduce((sum, [, w]) => sum + w, 0);

/** What the workers share. */
export interface WorkloadContext {
  s3: S3Client;
  bucket: string;
  ledger: Ledger;
  windows: LatencyWindows;
  keysPerWorker: number;
  /** Uniform in [0, 1). */
  random: () => number;
  /** Milliseconds, monotonic. */
  now: () => number;
}

function pickOp(random: () => number): SoakOp {
  let roll = random() * MIX_TOTAL;
  for (const [op, weight] of MIX) {
    roll -= weight;
    if (roll < 0) return op;
  }
  return 'get';
}

function stateOf(body: Buffer): KeyState {
  return { sha256: createHash('sha256').update(body).digest('hex'), bytes: body.length };
}

function errorKind(error: unknown): string {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  return `${e.name ?? 'Error'}${status ? ` ${status}` : ''}`;
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}

/** Reads `key` as it is now: its hash and size, or null when there is none. */
export async function readState(ctx: WorkloadContext, key: string): Promise<KeyState> {
  try {
    const reply = await ctx.s3.send(new GetObjectCommand({ Bucket: ctx.bucket, Key: key }));
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of reply.Body as Readable) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    return { sha256: hash.digest('hex'), bytes };
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

async function putObject(ctx: WorkloadContext, key: string, bytes: number) {
  const body = randomBytes(bytes);
  const state = stateOf(body);
  try {
    await ctx.s3.send(new PutObjectCommand({ Bucket: ctx.bucket, Key: key, Body: body }));
  } catch (error) {
    ctx.ledger.uncertain(key, state);
    throw error;
  }
  ctx.ledger.acknowledged(key, state);
}

async function multipart(ctx: WorkloadContext, key: string, random: () => number) {
  const parts = [randomBytes(5 * MiB), randomBytes(1 + Math.floor(random() * MiB))];
  const state = stateOf(Buffer.concat(parts));
  const { s3, bucket } = ctx;
  const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const UploadId = created.UploadId!;
  try {
    const etags = [];
    for (const [i, body] of parts.entries()) {
      const part = { Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: body };
      etags.push({ PartNumber: i + 1, ETag: (await s3.send(new UploadPartCommand(part))).ETag });
    }
    const done = { Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: etags } };
    await s3.send(new CompleteMultipartUploadCommand(done)).catch((error: unknown) => {
      ctx.ledger.uncertain(key, state);
      throw error;
    });
  } catch (error) {
    await s3
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }))
      .catch(() => undefined);
    throw error;
  }
  ctx.ledger.acknowledged(key, state);
}

async function checkedGet(ctx: WorkloadContext, key: string) {
  const found = await readState(ctx, key);
  const expected = ctx.ledger.certain(key);
  if (expected === undefined) return;
  const same =
    expected === null ? found === null : found?.sha256 === expected.sha256 && found !== null;
  if (!same) throw Object.assign(new Error('read back other bytes'), { name: 'WrongBytes' });
}

async function deleteObject(ctx: WorkloadContext, key: string) {
  try {
    await ctx.s3.send(new DeleteObjectCommand({ Bucket: ctx.bucket, Key: key }));
  } catch (error) {
    ctx.ledger.uncertain(key, null);
    throw error;
  }
  ctx.ledger.acknowledged(key, null);
}

function runOp(ctx: WorkloadContext, op: SoakOp, worker: number, key: string): Promise<unknown> {
  const { random } = ctx;
  switch (op) {
    case 'put-small':
      return putObject(ctx, key, 1 + Math.floor(random() * 64 * KiB));
    case 'put-large':
      return putObject(ctx, key, MiB + Math.floor(random() * 3 * MiB));
    case 'multipart':
      return multipart(ctx, key, random);
    case 'get':
      return checkedGet(ctx, key);
    case 'delete':
      return deleteObject(ctx, key);
    case 'list':
      return ctx.s3.send(new ListObjectsV2Command({ Bucket: ctx.bucket, Prefix: `w${worker}/` }));
  }
}

async function worker(ctx: WorkloadContext, index: number, stop: { now: boolean }) {
  while (!stop.now) {
    const op = pickOp(ctx.random);
    const key = `w${index}/k${Math.floor(ctx.random() * ctx.keysPerWorker)}`;
    const started = ctx.now();
    try {
      await runOp(ctx, op, index, key);
      ctx.windows.ok(op, ctx.now() - started);
    } catch (error) {
      ctx.windows.failed(op, errorKind(error));
    }
  }
}

/** Starts `concurrency` workers; the returned `stop()` resolves once all have finished. */
export function startWorkload(ctx: WorkloadContext, concurrency: number) {
  const flag = { now: false };
  const running = Array.from({ length: concurrency }, (_, i) => worker(ctx, i, flag));
  return {
    async stop(): Promise<void> {
      flag.now = true;
      await Promise.all(running);
    },
  };
}
