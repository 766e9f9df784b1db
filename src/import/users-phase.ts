/**
 * The first phase: every source user onto the target with the same key id, secret,
 * canonical id and status, through the admin-only fields of POST /riak-cs/user. A user
 * already there with the same keys is left alone (or given the source's status); one whose
 * key id or canonical id belongs to someone else is reported and its data not copied.
 */
import { createUser as postUser, getUser, setUserStatus } from './admin-calls.js';
import { planUser, type SourceUser } from './core/plan.js';
import { addProblem } from './core/report.js';
import { reasonOf, type Account, type ImportContext } from './context.js';
import { S3CallError } from './s3-http.js';

/** Brings every user across; fills `ctx.accounts`. */
export async function importUsers(ctx: ImportContext, users: SourceUser[]): Promise<void> {
  for (const user of users) {
    if (ctx.signal.aborted) return;
    const account: Account = { user, keys: { keyId: user.keyId, secret: user.secret } };
    ctx.accounts.set(user.id, account);
    try {
      const missing = await importUser(ctx, user);
      if (missing !== undefined) account.missing = missing;
    } catch (error) {
      account.missing = reasonOf(error);
      addProblem(ctx.report, { what: 'user', user: user.keyId, reason: account.missing });
    }
  }
}

/** Creates or checks one user; the reason it is not on the target, if it is not. */
async function importUser(ctx: ImportContext, user: SourceUser): Promise<string | undefined> {
  const existing = await getUser(ctx.target, ctx.targetAdmin, user.keyId);
  const step = planUser(user, existing?.user);
  switch (step.kind) {
    case 'present':
      ctx.report.users.present++;
      return undefined;
    case 'set-status':
      await setUserStatus(ctx.target, ctx.targetAdmin, user.keyId, step.status);
      ctx.report.users.updated++;
      return undefined;
    case 'conflict':
      addProblem(ctx.report, { what: 'user', user: user.keyId, reason: step.reason });
      return step.reason;
    case 'create':
      return createUser(ctx, user);
  }
}

async function createUser(ctx: ImportContext, user: SourceUser): Promise<string | undefined> {
  try {
    await postUser(ctx.target, ctx.targetAdmin, user);
    ctx.report.users.done++;
    return undefined;
  } catch (error) {
    if (!(error instanceof S3CallError) || error.status !== 409) throw error;
    const reason = `not created on the target: ${error.message}`;
    // A Cairn source's admin has the target admin's e-mail; the target has its own admin,
    // so this is only a loss if it owns buckets (the bucket phase reports those).
    if (user.keyId === ctx.sourceAdmin.keyId && /e-?mail/i.test(error.message)) {
      ctx.report.notes.push(
        `the source's admin ${user.keyId} was not imported (its e-mail is taken on the ` +
          `target, by the target's admin); the target's own admin administers it`,
      );
      return reason;
    }
    addProblem(ctx.report, { what: 'user', user: user.keyId, reason });
    return reason;
  }
}
