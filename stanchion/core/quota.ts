/**
 * Storage quotas of users and buckets: at most so many bytes and so many objects. Stanchion
 * orders a quota change like any other user or bucket mutation and stores the quota inside
 * the record it changes, so front ends read it with the record they already hold (no extra
 * read on the write path). Values are checked here too, whatever the caller validated: a
 * quota that is not a whole number of bytes or objects in range is refused, nothing changed.
 */
import type { CommandResult, QuotaChanges, QuotaTarget, StanchionEvent } from './commands.js';
import type { BucketRecord, Quota, UserRecord } from './records.js';

/** Why a quota value is refused, or undefined when it is a whole number in range. */
export function quotaValueRefusal(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    return 'a quota must be a whole number';
  }
  return value < 0 ? 'a quota cannot be negative' : undefined;
}

/** The quota after `changes`; undefined when no limit is left. */
export function changedQuota(current: Quota | undefined, changes: QuotaChanges) {
  const next: Quota = { ...current };
  for (const field of ['bytesMax', 'objectsMax'] as const) {
    const value = changes[field];
    if (value === null) delete next[field];
    else if (value !== undefined) next[field] = value;
  }
  return next.bytesMax === undefined && next.objectsMax === undefined ? undefined : next;
}

/** A record with its quota changed (the field dropped when no limit is left). */
function withQuota<T extends { quota?: Quota }>(record: T, changes: QuotaChanges): T {
  const { quota, ...rest } = record;
  const next = changedQuota(quota, changes);
  return (next ? { ...rest, quota: next } : rest) as T;
}

type Decision = { events: StanchionEvent[]; result: CommandResult };

/** What a quota decision needs of stanchion's state. */
export interface QuotaState {
  users: Map<string, UserRecord>;
  userIdByKey: Map<string, string>;
  buckets: Map<string, BucketRecord>;
}

/** Decides a quota change: refused when a value is bad or the target unknown. */
export function decideSetQuota(
  state: QuotaState,
  target: QuotaTarget,
  changes: QuotaChanges,
): Decision {
  const refuse = (code: 'InvalidArgument' | 'NoSuchUser' | 'NoSuchBucket', detail: string) => ({
    events: [],
    result: { ok: false as const, code, detail },
  });
  const bad = quotaValueRefusal(changes.bytesMax) ?? quotaValueRefusal(changes.objectsMax);
  if (bad) return refuse('InvalidArgument', bad);
  if ('user' in target) {
    const userId = state.userIdByKey.get(target.user);
    const current = userId === undefined ? undefined : state.users.get(userId);
    if (!current) return refuse('NoSuchUser', `no user has key ${target.user}`);
    const user = withQuota(current, changes);
    return { events: [{ type: 'user-updated', user }], result: { ok: true, user } };
  }
  const current = state.buckets.get(target.bucket);
  if (!current) return refuse('NoSuchBucket', target.bucket);
  const bucket = withQuota(current, changes);
  return { events: [{ type: 'bucket-updated', bucket }], result: { ok: true, bucket } };
}
