/**
 * Brings one bucket across, as its owner: created on the target, then its policy, then its
 * ACL, then its objects. In that order the target bucket is never more open than the
 * source's: until the policy is in place the bucket is private and empty. Objects are
 * compared with the target's by size and ETag, a page of each listing at a time, and only
 * the missing or changed ones are copied, a bounded number at once.
 */
import { planObject, pairListings } from './core/plan.js';
import { addProblem, formatBytes } from './core/report.js';
import type { ListedObject } from './core/xml.js';
import type { BucketJob } from './buckets-phase.js';
import { reasonOf, type ImportContext } from './context.js';
import { copyObject } from './copy-object.js';
import { Pool } from './pool.js';
import { S3CallError } from './s3-http.js';

const ATTEMPTS_MAX = 3;

/** Counts of one bucket, for its log line, and whether it vanished from the source. */
interface BucketTally {
  copied: number;
  present: number;
  failed: number;
  bytes: number;
  vanished: boolean;
}

/** Imports one bucket; every failure is recorded in the report, none thrown. */
export async function importBucket(ctx: ImportContext, job: BucketJob): Promise<void> {
  const startedMs = Date.now();
  const tally: BucketTally = { copied: 0, present: 0, failed: 0, bytes: 0, vanished: false };
  const problem = (reason: string) =>
    addProblem(ctx.report, { what: 'bucket', bucket: job.name, reason });
  const gone = () =>
    problem(
      'deleted from the source during the import; its remaining objects were not copied ' +
        `(the ${tally.copied} copied before stay on the target)`,
    );
  try {
    if (!(await prepareBucket(ctx, job, problem))) return;
    await copyObjects(ctx, job, tally);
    if (tally.vanished) gone();
  } catch (error) {
    if (ctx.signal.aborted) return;
    if (vanished(error)) gone();
    else problem(reasonOf(error));
  } finally {
    const seconds = ((Date.now() - startedMs) / 1000).toFixed(1);
    ctx.log(
      `bucket ${job.name} (owner ${job.owner.user.keyId}): ${tally.copied} copied ` +
        `(${formatBytes(tally.bytes)}), ${tally.present} already there, ` +
        `${tally.failed} failed, ${seconds} s`,
    );
  }
}

function vanished(error: unknown): boolean {
  return error instanceof S3CallError && error.code === 'NoSuchBucket';
}

/** Creates the bucket and sets its policy and ACL; false when its objects must not be copied. */
async function prepareBucket(
  ctx: ImportContext,
  job: BucketJob,
  problem: (reason: string) => void,
): Promise<boolean> {
  const { source, target } = ctx;
  const keys = job.owner.keys;
  const created = await target.createBucket(keys, job.name);
  if (created === 'taken') {
    problem('the name belongs to another user on the target');
    return false;
  }
  if (created === 'created') ctx.report.buckets.done++;
  else ctx.report.buckets.present++;
  const policy = await source.getPolicy(keys, job.name);
  if (policy !== (await target.getPolicy(keys, job.name))) {
    try {
      await target.setPolicy(keys, job.name, policy);
    } catch (error) {
      // Without its policy (a Deny, say) the bucket could be more open than the source's.
      problem(`its policy could not be set, so no object was copied: ${reasonOf(error)}`);
      return false;
    }
  }
  const acl = await source.getAcl(keys, job.name);
  try {
    await target.putAcl(keys, job.name, acl);
  } catch (error) {
    // The bucket stays private: more closed than the source's, never more open.
    problem(`its ACL could not be set (the bucket stays private): ${reasonOf(error)}`);
  }
  return true;
}

async function copyObjects(ctx: ImportContext, job: BucketJob, tally: BucketTally): Promise<void> {
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
      await pool.run(() => copyWithRetries(ctx, job, source, tally));
    }
  } finally {
    await pool.drain();
  }
}

async function copyWithRetries(
  ctx: ImportContext,
  job: BucketJob,
  object: ListedObject,
  tally: BucketTally,
): Promise<void> {
  const owner = ctx.accounts.get(object.ownerId ?? job.owner.user.id) ?? job.owner;
  const fail = (reason: string) => {
    tally.failed++;
    ctx.progress.state.objectsDone++;
    addProblem(ctx.report, { what: 'object', bucket: job.name, key: object.key, reason });
  };
  if (owner.missing !== undefined)
    return fail(`its owner ${owner.user.keyId} is not on the target`);
  for (let attempt = 1; ; attempt++) {
    try {
      const copied = await copyObject({
        source: ctx.source,
        target: ctx.target,
        bucket: job.name,
        object,
        keys: owner.keys,
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
      // A 412 is an object overwritten mid-copy: the next attempt reads the new version.
      const again =
        error instanceof S3CallError
          ? error.transient || error.status === 412
          : !(error instanceof TypeError);
      if (!again || attempt >= ATTEMPTS_MAX) return fail(objectReason(error));
    }
  }
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
