/**
 * The serializer's whole judgement: decide(state, command) → events and a result. Pure; the
 * shell logs the events durably, then applies them, in one total order. Uniqueness of
 * e-mails, access keys and bucket names is decided here and nowhere else, and so is every
 * change of who may do what to a bucket (bucket-controls.ts has the rules).
 */
import {
  aclChangeRefusal,
  newBucketRefusal,
  ownershipChangeRefusal,
  policyChangeRefusal,
  recreateRefusal,
  withSetting,
  type Refusal,
} from './bucket-controls.js';
import { versioningChangeRefusal, withObjectLock } from './object-lock-rules.js';
import type { Command, CommandResult, LogEntry, StanchionEvent, UserChanges } from './commands.js';
import type { BucketRecord, Revision, UserRecord } from './records.js';
import { decideSetQuota } from './quota.js';

/** Riak CS's default limit of buckets per user. */
export const BUCKETS_PER_USER_MAX = 100;

/** How many recent command ids keep their answers, for retries. */
export const REMEMBERED_COMMANDS_MAX = 10_000;

/** Everything stanchion knows: users and buckets, with the indexes uniqueness needs. */
export interface StanchionState {
  users: Map<string, UserRecord>;
  userIdByEmail: Map<string, string>;
  userIdByKey: Map<string, string>;
  buckets: Map<string, BucketRecord>;
  bucketCountByOwner: Map<string, number>;
  /** Answers of recent commands by id, oldest first. */
  results: Map<string, CommandResult>;
  /** The last log entry folded in (0: none). */
  appliedSeq: number;
  /** The highest leader epoch seen in the log. */
  epoch: number;
}

/** An empty state. */
export function emptyState(): StanchionState {
  return {
    users: new Map(),
    userIdByEmail: new Map(),
    userIdByKey: new Map(),
    buckets: new Map(),
    bucketCountByOwner: new Map(),
    results: new Map(),
    appliedSeq: 0,
    epoch: 0,
  };
}

type Decision = { events: StanchionEvent[]; result: CommandResult };

/** Decides a command against the state; never changes the state. */
export function decide(state: StanchionState, command: Command): Decision {
  const earlier = command.id === undefined ? undefined : state.results.get(command.id);
  if (earlier) return { events: [], result: earlier };
  switch (command.type) {
    case 'create-user':
      return decideCreateUser(state, command.user);
    case 'update-user':
      return decideUpdateUser(state, command.keyId, command.changes);
    case 'create-bucket':
      return decideCreateBucket(state, command);
    case 'delete-bucket':
      return decideDeleteBucket(state, command);
    case 'set-bucket-acl':
      return decideBucketUpdate(
        state,
        command,
        (b) => aclChangeRefusal(b, command.acl) ?? { ...b, acl: command.acl },
      );
    case 'set-bucket-policy':
      return decideBucketUpdate(state, command, (b) => {
        const refusal =
          command.policy === null ? undefined : policyChangeRefusal(b, !!command.isPublic);
        return refusal ?? withSetting(b, 'policy', command.policy);
      });
    case 'set-bucket-ownership':
      return decideBucketUpdate(state, command, (b) => {
        const refusal = ownershipChangeRefusal(b, command.ownership);
        return refusal ?? withSetting(b, 'objectOwnership', command.ownership);
      });
    case 'set-bucket-versioning':
      return decideBucketUpdate(
        state,
        command,
        (b) =>
          versioningChangeRefusal(b, command.status) ??
          withSetting(b, 'versioning', command.status),
      );
    case 'set-bucket-object-lock':
      return decideBucketUpdate(state, command, (b) => withObjectLock(b, command.objectLock));
    case 'set-public-access-block':
      return decideBucketUpdate(state, command, (b) =>
        withSetting(b, 'publicAccessBlock', command.config),
      );
    case 'set-quota':
      return decideSetQuota(state, command.target, command.changes);
  }
}

function refuse(code: Extract<CommandResult, { ok: false }>['code'], detail: string): Decision {
  return { events: [], result: { ok: false as const, code, detail } };
}

function decideCreateUser(state: StanchionState, user: UserRecord): Decision {
  if (state.userIdByEmail.has(user.email.toLowerCase())) {
    return refuse('UserAlreadyExists', `a user with e-mail ${user.email} exists`);
  }
  if (state.userIdByKey.has(user.keyId)) {
    return refuse('UserAlreadyExists', `access key id ${user.keyId} is already in use`);
  }
  if (state.users.has(user.id)) {
    return refuse('UserAlreadyExists', `canonical id ${user.id} is already in use`);
  }
  return { events: [{ type: 'user-created', user }], result: { ok: true, user } };
}

function decideUpdateUser(state: StanchionState, keyId: string, changes: UserChanges): Decision {
  const userId = state.userIdByKey.get(keyId);
  const current = userId === undefined ? undefined : state.users.get(userId);
  if (!current) return refuse('NoSuchUser', `no user has key ${keyId}`);
  if (changes.email !== undefined) {
    const holder = state.userIdByEmail.get(changes.email.toLowerCase());
    if (holder !== undefined && holder !== current.id) {
      return refuse('UserAlreadyExists', `a user with e-mail ${changes.email} exists`);
    }
  }
  const user: UserRecord = { ...current };
  if (changes.name !== undefined) user.name = changes.name;
  if (changes.email !== undefined) user.email = changes.email;
  if (changes.displayName !== undefined) user.displayName = changes.displayName;
  if (changes.status !== undefined) user.status = changes.status;
  if (changes.secret !== undefined) user.secret = changes.secret;
  return { events: [{ type: 'user-updated', user }], result: { ok: true, user } };
}

/** The per-user bucket limit a command asks for, or Riak CS's default. */
function bucketsMaxOf(asked: number | undefined): number {
  return Number.isInteger(asked) && asked! >= 1 ? asked! : BUCKETS_PER_USER_MAX;
}

function decideCreateBucket(
  state: StanchionState,
  command: Extract<Command, { type: 'create-bucket' }>,
): Decision {
  const { bucket } = command;
  const max = bucketsMaxOf(command.bucketsMax);
  const existing = state.buckets.get(bucket.name);
  if (existing) {
    if (existing.ownerId !== bucket.ownerId) return refuse('BucketAlreadyExists', bucket.name);
    if (command.onOwnExisting !== 'accept-unchanged') {
      return refuse('BucketAlreadyOwnedByYou', bucket.name);
    }
    const refusal = recreateRefusal(existing, bucket);
    return refusal
      ? refuse(refusal.code, refusal.detail)
      : { events: [], result: { ok: true, bucket: existing } };
  }
  if (!state.users.has(bucket.ownerId)) return refuse('AccessDenied', 'unknown owner');
  const refusal = newBucketRefusal(bucket);
  if (refusal) return refuse(refusal.code, refusal.detail);
  if ((state.bucketCountByOwner.get(bucket.ownerId) ?? 0) >= max) {
    return refuse('TooManyBuckets', `at most ${max} buckets per user`);
  }
  return { events: [{ type: 'bucket-created', bucket }], result: { ok: true, bucket } };
}

function decideDeleteBucket(
  state: StanchionState,
  command: Extract<Command, { type: 'delete-bucket' }>,
): Decision {
  const bucket = state.buckets.get(command.name);
  if (!bucket) return refuse('NoSuchBucket', command.name);
  if (bucket.ownerId !== command.requesterId) return refuse('AccessDenied', command.name);
  if (!command.isEmpty) return refuse('BucketNotEmpty', command.name);
  return { events: [{ type: 'bucket-deleted', bucket }], result: { ok: true, bucket } };
}

/**
 * A change of a bucket's ACL, policy or controls, applied only to the bucket the caller saw
 * (same id); `change` gives the new record or a refusal.
 */
function decideBucketUpdate(
  state: StanchionState,
  command: { name: string; bucketId: string },
  change: (bucket: BucketRecord) => BucketRecord | Refusal,
): Decision {
  const current = state.buckets.get(command.name);
  if (!current || current.id !== command.bucketId) return refuse('NoSuchBucket', command.name);
  const bucket = change(current);
  if ('code' in bucket) return refuse(bucket.code, bucket.detail);
  return { events: [{ type: 'bucket-updated', bucket }], result: { ok: true, bucket } };
}

/**
 * A log entry for a decision: every record in its events and result is stamped with the
 * entry's revision, which the projection uses to never let an older write win.
 */
export function makeEntry(
  seq: number,
  epoch: number,
  commandId: string | undefined,
  decision: Decision,
): LogEntry {
  const rev: Revision = { epoch, seq };
  const events = decision.events.map((event): StanchionEvent => {
    if ('user' in event) return { ...event, user: { ...event.user, rev } };
    return { ...event, bucket: { ...event.bucket, rev } };
  });
  let result = decision.result;
  if (result.ok) {
    result = { ok: true };
    if (decision.result.ok && decision.result.user) result.user = { ...decision.result.user, rev };
    if (decision.result.ok && decision.result.bucket) {
      result.bucket = { ...decision.result.bucket, rev };
    }
  }
  return { seq, epoch, ...(commandId !== undefined ? { commandId } : {}), events, result };
}

/**
 * Folds one log entry into the state: the only mutation in the core. The shell calls it
 * once an entry is durable and its leadership confirmed, and when replaying or following.
 */
export function applyEntry(state: StanchionState, entry: LogEntry): void {
  for (const event of entry.events) applyEvent(state, event);
  if (entry.commandId !== undefined) {
    state.results.set(entry.commandId, entry.result);
    if (state.results.size > REMEMBERED_COMMANDS_MAX) {
      state.results.delete(state.results.keys().next().value!);
    }
  }
  state.appliedSeq = entry.seq;
  state.epoch = Math.max(state.epoch, entry.epoch);
}

/** Folds one event into the state. */
export function applyEvent(state: StanchionState, event: StanchionEvent): void {
  switch (event.type) {
    case 'user-created':
    case 'user-updated': {
      const previous = state.users.get(event.user.id);
      if (previous) state.userIdByEmail.delete(previous.email.toLowerCase());
      state.users.set(event.user.id, event.user);
      state.userIdByEmail.set(event.user.email.toLowerCase(), event.user.id);
      state.userIdByKey.set(event.user.keyId, event.user.id);
      return;
    }
    case 'bucket-created': {
      const owner = event.bucket.ownerId;
      state.buckets.set(event.bucket.name, event.bucket);
      state.bucketCountByOwner.set(owner, (state.bucketCountByOwner.get(owner) ?? 0) + 1);
      return;
    }
    case 'bucket-updated':
      state.buckets.set(event.bucket.name, event.bucket);
      return;
    case 'bucket-deleted': {
      const owner = event.bucket.ownerId;
      state.buckets.delete(event.bucket.name);
      state.bucketCountByOwner.set(owner, (state.bucketCountByOwner.get(owner) ?? 1) - 1);
      return;
    }
  }
}

/** The admin user: the first admin created (the bootstrap), if any. */
export function adminOf(state: StanchionState): UserRecord | undefined {
  let admin: UserRecord | undefined;
  for (const user of state.users.values()) {
    if (user.isAdmin && (!admin || user.createdAtMs < admin.createdAtMs)) admin = user;
  }
  return admin;
}
