/**
 * Finds every bucket to bring across, by listing each source user's buckets with its own
 * keys. A disabled user's requests are refused (by Riak CS and Cairn alike), so its
 * buckets cannot be read: they are reported, never skipped silently.
 */
import { getUser } from './admin-calls.js';
import { addProblem } from './core/report.js';
import { reasonOf, type Account, type ImportContext } from './context.js';
import { S3CallError } from './s3-http.js';

/** A bucket and the account that owns it. */
export interface BucketJob {
  name: string;
  owner: Account;
}

/** The buckets of every account that can be copied; the others reported. */
export async function bucketsToImport(ctx: ImportContext): Promise<BucketJob[]> {
  const jobs: BucketJob[] = [];
  for (const owner of ctx.accounts.values()) {
    if (ctx.signal.aborted) break;
    try {
      const names = await bucketsOf(ctx, owner);
      if (names === undefined) continue;
      if (owner.missing === undefined) {
        jobs.push(...names.map((name) => ({ name, owner })));
        continue;
      }
      for (const bucket of names) {
        const reason =
          `not copied: its owner ${owner.user.keyId} is not on the target ` + `(${owner.missing})`;
        addProblem(ctx.report, { what: 'bucket', bucket, reason });
      }
    } catch (error) {
      const reason = `its buckets could not be listed: ${reasonOf(error)}`;
      addProblem(ctx.report, { what: 'user', user: owner.user.keyId, reason });
    }
  }
  return jobs;
}

/** The user's bucket names; undefined once reported as unreadable. */
async function bucketsOf(ctx: ImportContext, owner: Account): Promise<string[] | undefined> {
  if (owner.user.status === 'enabled') return ctx.source.listBuckets(owner.keys);
  try {
    return await ctx.source.listBuckets(owner.keys);
  } catch (error) {
    if (!(error instanceof S3CallError) || error.status !== 403) throw error;
  }
  const known = (await getUser(ctx.source, ctx.sourceAdmin, owner.user.keyId))?.buckets;
  if (known?.length === 0) return undefined;
  const fix =
    'enable it on the source, run the import again, then disable it on the source and run ' +
    'once more (the target follows the source status)';
  const what =
    known === undefined
      ? 'the source refuses a disabled user, so its buckets (if any) cannot be listed'
      : `its buckets (${known.join(', ')}) cannot be read while it is disabled`;
  addProblem(ctx.report, { what: 'user', user: owner.user.keyId, reason: `${what}; ${fix}` });
  return undefined;
}
