/**
 * Every user and bucket mutation, as data. Ids, secrets and times are chosen by the caller's
 * shell (randomness and the clock are I/O), so deciding a command is pure and repeatable.
 */
import type { BucketRecord, UserRecord } from './records.js';

/** A mutation submitted to stanchion. */
export type Command =
  | { type: 'create-user'; user: UserRecord }
  | { type: 'create-bucket'; bucket: BucketRecord }
  | {
      type: 'delete-bucket';
      name: string;
      requesterId: string;
      /** Whether the bucket held no objects when the shell looked (one-item scan). */
      isEmpty: boolean;
    };

/** A fact stanchion logged; state is the fold of these. */
export type StanchionEvent =
  | { type: 'user-created'; user: UserRecord }
  | { type: 'bucket-created'; bucket: BucketRecord }
  | { type: 'bucket-deleted'; bucket: BucketRecord };

/** Codes of refused commands; each is an S3 (or Riak CS) error code. */
export type RefusalCode =
  | 'UserAlreadyExists'
  | 'BucketAlreadyExists'
  | 'BucketAlreadyOwnedByYou'
  | 'BucketNotEmpty'
  | 'NoSuchBucket'
  | 'AccessDenied'
  | 'TooManyBuckets';

/** What a command came to. */
export type CommandResult =
  | { ok: true; user?: UserRecord; bucket?: BucketRecord }
  | { ok: false; code: RefusalCode; detail: string };
