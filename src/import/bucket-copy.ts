/**
 * Brings one bucket across, as its owner: created on the target, then its policy, then its
 * ACL, then its objects. In that order the target bucket is never more open than the
 * source's: until the policy is in place the bucket is private and empty.
 */
import { parseAcl } from './core/acl.js';
import { addProblem, formatBytes } from './core/report.js';
import type { BucketJob } from './buckets-phase.js';
import { reasonOf, type Account, type ImportContext } from './context.js';
import { copyObjects, vanished, type BucketTally } from './objects-copy.js';

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
    const writers = await prepareBucket(ctx, job, problem);
    if (writers === undefined) return;
    await copyObjects(ctx, job, writers, tally);
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

/**
 * Creates the bucket and sets its policy and ACL. Returns the accounts its ACL lets write
 * (they may own objects in it), or undefined when its objects must not be copied.
 */
async function prepareBucket(
  ctx: ImportContext,
  job: BucketJob,
  problem: (reason: string) => void,
): Promise<Account[] | undefined> {
  const { source, target } = ctx;
  const keys = job.owner.keys;
  const created = await target.createBucket(keys, job.name, job.owner.user.id);
  if (created === 'taken') {
    problem('the name belongs to another user on the target');
    return undefined;
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
      return undefined;
    }
  }
  const acl = await source.getAcl(keys, job.name);
  try {
    await target.putAcl(keys, job.name, acl);
  } catch (error) {
    // The bucket stays private: more closed than the source's, never more open.
    problem(`its ACL could not be set (the bucket stays private): ${reasonOf(error)}`);
  }
  return writersOf(ctx, acl);
}

/** The source accounts a bucket ACL lets write. */
function writersOf(ctx: ImportContext, aclText: string): Account[] {
  const grants = parseAcl(aclText).grants.filter(
    (g) => g.permission === 'WRITE' || g.permission === 'FULL_CONTROL',
  );
  const ids = grants.flatMap((g) => (g.grantee.type === 'CanonicalUser' ? [g.grantee.id] : []));
  return ids.flatMap((id) => ctx.accounts.get(id) ?? []);
}
