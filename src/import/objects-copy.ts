/**
 * A bucket's objects: compared with the target's by size and ETag, a page of each listing
 * at a time, and only the missing or changed ones copied, a bounded number at once, each
 * as its owner and retried on transient failures. A bucket that vanishes from the source
 * stops the walk and is reported once.
 */
import { pairListings, planObject } from './core/plan.js';
import { addProblem } from './core/report.js';
import type { ListedObject } from './core/xml.js';
import type { BucketJob } from './buckets-phase.js';
import { reasonOf, type Account, type ImportContext } from './context.js';
import { NotCopyable } from './copy-common.js';
import { copyObject } from './copy-object.js';
import { Pool } from './pool.js';
import { S3CallError, type Keys } from './s3-http.js';

const ATTEMPTS_MAX = 3;

/** Counts of one bucket, for its log line, and whether it vanished from the source. */
export interface BucketTally {
  copied: number;
  present: number;
  failed: number;
  bytes: number;
  vanished: boolean;
}

/** Whether an error says the bucket is gone. */
export function vanished(error: unknown): boolean {
  return error instanceof S3CallError && error.code === 'NoSuchBucket';
}

/** Copies what is missing or changed; `writers` may own objects in the bucket. */
export async function copyObjects(
  ctx: ImportContext,
  job: BucketJob,
  writers: Account[],
  tally: BucketTally,
): Promise<void> {
  const keys = job.owner.keys;
  const pool = new Pool(ctx.concurrency);
  const pairs = pairListings(
    ctx.source.listObjects(keys, job.name),
    ctx.target.listObjects(keys, job.name),
  );
  try {
    for await (const { source, target } of pairs) {
      if (ctx.signal.aborted || tally.vanished) break;
      if (planObject(source, target) === 'same') {
        tally.present++;
        ctx.report.objects.present++;
        continue;
      }
      const readers = readersOf(ctx, job, writers, source);
      await pool.run(() => copyWithRetries(ctx, job, source, readers, tally));
    }
  } finally {
    await pool.drain();
  }
}

/** Whose keys to read an object's ACL with: its listed owner, the bucket's, its writers. */
function readersOf(ctx: ImportContext, job: BucketJob, writers: Account[], object: ListedObject) {
  const listed = object.ownerId === undefined ? undefined : ctx.accounts.get(object.ownerId);
  const accounts = [listed, job.owner, ...writers].filter(
    (a): a is Account => a !== undefined && a.user.status === 'enabled',
  );
  return [...new Set(accounts)].map((a) => a.keys);
}

function ownerKeys(ctx: ImportContext, ownerId: string): Keys {
  const owner = ctx.accounts.get(ownerId);
  if (!owner) throw new NotCopyable(`its owner (canonical id ${ownerId}) is not a source user`);
  if (owner.missing !== undefined) {
    throw new NotCopyable(`its owner ${owner.user.keyId} is not on the target`);
  }
  return owner.keys;
}

async function copyWithRetries(
  ctx: ImportContext,
  job: BucketJob,
  object: ListedObject,
  readers: Keys[],
  tally: BucketTally,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const copied = await copyObject({
        source: ctx.source,
        target: ctx.target,
        bucket: job.name,
        object,
        readers,
        ownerKeys: (id) => ownerKeys(ctx, id),
        onBytes: (bytes) => (ctx.progress.state.bytesDone += bytes),
      });
      if (copied.etagChange) ctx.report.etagChanges.push(copied.etagChange);
      tally.copied++;
      tally.bytes += copied.bytes;
      ctx.report.objects.done++;
      ctx.report.bytesCopied += copied.bytes;
      ctx.progress.state.objectsDone++;
      return;
    } catch (error) {
      if (ctx.signal.aborted) return;
      // The bucket is gone: one problem for the bucket, not one per object left.
      if (vanished(error)) return void (tally.vanished = true);
      if (!worthRetrying(error) || attempt >= ATTEMPTS_MAX) {
        tally.failed++;
        ctx.progress.state.objectsDone++;
        const reason = objectReason(error);
        addProblem(ctx.report, { what: 'object', bucket: job.name, key: object.key, reason });
        return;
      }
    }
  }
}

function worthRetrying(error: unknown): boolean {
  // A 412 is an object overwritten mid-copy: the next attempt reads the new version.
  if (error instanceof S3CallError) return error.transient || error.status === 412;
  return !(error instanceof NotCopyable);
}

function objectReason(error: unknown): string {
  if (error instanceof S3CallError && error.status === 404) {
    return `deleted from the source during the import (${error.message})`;
  }
  if (error instanceof S3CallError && error.status === 412) {
    return 'overwritten on the source during the copy; run the import again';
  }
  return reasonOf(error);
}
