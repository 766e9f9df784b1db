/**
 * The serializer's whole judgement: decide(state, command) → events and a result. Pure; the
 * shell logs the events durably, then applies them, in one total order. Uniqueness of
 * e-mails, access keys and bucket names is decided here and nowhere else.
 */
import type { Command, CommandResult, StanchionEvent } from './commands.js';
import type { BucketRecord, UserRecord } from './records.js';

/** Riak CS's default limit of buckets per user. */
export const BUCKETS_PER_USER_MAX = 100;

/** Everything stanchion knows: users and buckets, with the indexes uniqueness needs. */
export interface StanchionState {
  users: Map<string, UserRecord>;
  userIdByEmail: Map<string, string>;
  userIdByKey: Map<string, string>;
  buckets: Map<string, BucketRecord>;
  bucketCountByOwner: Map<string, number>;
}

/** An empty state. */
export function emptyState(): StanchionState {
  return {
    users: new Map(),
    userIdByEmail: new Map(),
    userIdByKey: new Map(),
    buckets: new Map(),
    bucketCountByOwner: new Map(),
  };
}

/** Decides a command against the state; never changes the state. */
export function decide(
  state: StanchionState,
  command: Command,
): { events: StanchionEvent[]; result: CommandResult } {
  switch (command.type) {
    case 'create-user':
      return decideCreateUser(state, command.user);
    case 'create-bucket':
      return decideCreateBucket(state, command.bucket);
    case 'delete-bucket':
      return decideDeleteBucket(state, command);
  }
}

function refuse(code: Extract<CommandResult, { ok: false }>['code'], detail: string) {
  return { events: [], result: { ok: false as const, code, detail } };
}

function decideCreateUser(state: StanchionState, user: UserRecord) {
  if (state.userIdByEmail.has(user.email.toLowerCase())) {
    return refuse('UserAlreadyExists', `a user with e-mail ${user.email} exists`);
  }
  if (state.users.has(user.id) || state.userIdByKey.has(user.keyId)) {
    return refuse('UserAlreadyExists', 'user id or key id already in use');
  }
  return { events: [{ type: 'user-created' as const, user }], result: { ok: true as const, user } };
}

function decideCreateBucket(state: StanchionState, bucket: BucketRecord) {
  const existing = state.buckets.get(bucket.name);
  if (existing) {
    return existing.ownerId === bucket.ownerId
      ? refuse('BucketAlreadyOwnedByYou', bucket.name)
      : refuse('BucketAlreadyExists', bucket.name);
  }
  if (!state.users.has(bucket.ownerId)) return refuse('AccessDenied', 'unknown owner');
  if ((state.bucketCountByOwner.get(bucket.ownerId) ?? 0) >= BUCKETS_PER_USER_MAX) {
    return refuse('TooManyBuckets', `at most ${BUCKETS_PER_USER_MAX} buckets per user`);
  }
  return {
    events: [{ type: 'bucket-created' as const, bucket }],
    result: { ok: true as const, bucket },
  };
}

function decideDeleteBucket(
  state: StanchionState,
  command: Extract<Command, { type: 'delete-bucket' }>,
) {
  const bucket = state.buckets.get(command.name);
  if (!bucket) return refuse('NoSuchBucket', command.name);
  if (bucket.ownerId !== command.requesterId) return refuse('AccessDenied', command.name);
  if (!command.isEmpty) return refuse('BucketNotEmpty', command.name);
  return {
    events: [{ type: 'bucket-deleted' as const, bucket }],
    result: { ok: true as const, bucket },
  };
}

/**
 * Folds one logged event into the state. The only mutation in the core; the shell calls it
 * after the event is durable, and when replaying the log on start.
 */
export function applyEvent(state: StanchionState, event: StanchionEvent): void {
  switch (event.type) {
    case 'user-created':
      state.users.set(event.user.id, event.user);
      state.userIdByEmail.set(event.user.email.toLowerCase(), event.user.id);
      state.userIdByKey.set(event.user.keyId, event.user.id);
      return;
    case 'bucket-created': {
      const owner = event.bucket.ownerId;
      state.buckets.set(event.bucket.name, event.bucket);
      state.bucketCountByOwner.set(owner, (state.bucketCountByOwner.get(owner) ?? 0) + 1);
      return;
    }
    case 'bucket-deleted': {
      const owner = event.bucket.ownerId;
      state.buckets.delete(event.bucket.name);
      state.bucketCountByOwner.set(owner, (state.bucketCountByOwner.get(owner) ?? 1) - 1);
      return;
    }
  }
}
