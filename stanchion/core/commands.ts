/**
 * Every user and bucket mutation, as data. Ids, secrets and times are chosen by the caller's
 * shell (randomness and the clock are I/O), so deciding a command is pure and repeatable.
 * A command may carry an id: a retry with the same id (after a timeout, or through another
 * stanchion after a failover) gets the first answer instead of being applied twice.
 */
import type { ObjectOwnership, PublicAccessBlock } from './bucket-control-types.js';
import type {
  AccessControlList,
  BucketObjectLock,
  BucketRecord,
  BucketVersioning,
  StoredSecret,
  UserRecord,
} from './records.js';

/** What an update may change about a user; a new secret is chosen by the caller's shell. */
export interface UserChanges {
  name?: string;
  email?: string;
  /** Riak CS derives it from the e-mail, so a new e-mail brings a new display name. */
  displayName?: string;
  status?: 'enabled' | 'disabled';
  /** As stored: sealed by the front end before the command leaves it. */
  secret?: StoredSecret;
}

/** A change of a quota: a number sets that limit, null removes it, absent keeps it. */
export interface QuotaChanges {
  bytesMax?: number | null;
  objectsMax?: number | null;
}

/** What a set-quota command names: a user by access key id, or a bucket by name. */
export type QuotaTarget = { user: string } | { bucket: string };

/** A mutation submitted to stanchion. */
export type Command = { id?: string } & (
  | { type: 'create-user'; user: UserRecord }
  | { type: 'update-user'; keyId: string; changes: UserChanges }
  | {
      type: 'create-bucket';
      bucket: BucketRecord;
      /**
       * A create by the owner of an existing bucket: refused (BucketAlreadyOwnedByYou, the
       * default), or accepted unchanged when it asks for the bucket's current ACL and
       * ownership (S3's legacy us-east-1 answer) and refused as BucketAlreadyExists if not.
       */
      onOwnExisting?: 'refuse' | 'accept-unchanged';
      /** The front end's max_buckets_per_user (BUCKETS_PER_USER_MAX when absent). */
      bucketsMax?: number;
    }
  | {
      type: 'delete-bucket';
      name: string;
      requesterId: string;
      /** Whether the bucket held no objects when the shell looked (its own index). */
      isEmpty: boolean;
    }
  | { type: 'set-bucket-acl'; name: string; bucketId: string; acl: AccessControlList }
  | {
      type: 'set-bucket-policy';
      name: string;
      bucketId: string;
      /** The policy document; null deletes it. */
      policy: string | null;
      /** Whether the front end found the policy public (BlockPublicPolicy refuses it). */
      isPublic?: boolean;
    }
  | {
      type: 'set-bucket-ownership';
      name: string;
      bucketId: string;
      /** The Object Ownership setting; null deletes it. */
      ownership: ObjectOwnership | null;
    }
  | {
      type: 'set-bucket-versioning';
      name: string;
      bucketId: string;
      /** S3 versioning never goes back to unversioned: only these two. */
      status: BucketVersioning;
    }
  | {
      type: 'set-bucket-object-lock';
      name: string;
      bucketId: string;
      /** Object lock cannot be turned off: only its default retention changes. */
      objectLock: BucketObjectLock;
    }
  | {
      type: 'set-public-access-block';
      name: string;
      bucketId: string;
      /** The configuration; null deletes it. */
      config: PublicAccessBlock | null;
    }
  | { type: 'set-quota'; target: QuotaTarget; changes: QuotaChanges }
);

/** A fact stanchion logged; state is the fold of these. */
export type StanchionEvent =
  | { type: 'user-created'; user: UserRecord }
  | { type: 'user-updated'; user: UserRecord }
  | { type: 'bucket-created'; bucket: BucketRecord }
  | { type: 'bucket-updated'; bucket: BucketRecord }
  | { type: 'bucket-deleted'; bucket: BucketRecord };

/** Codes of refused commands; each is an S3 (or Riak CS) error code. */
export type RefusalCode =
  | 'UserAlreadyExists'
  | 'NoSuchUser'
  | 'BucketAlreadyExists'
  | 'BucketAlreadyOwnedByYou'
  | 'BucketNotEmpty'
  | 'NoSuchBucket'
  | 'AccessDenied'
  | 'TooManyBuckets'
  | 'AccessControlListNotSupported'
  | 'InvalidBucketAclWithObjectOwnership'
  | 'InvalidBucketState'
  | 'InvalidArgument';

/** What a command came to. */
export type CommandResult =
  | { ok: true; user?: UserRecord; bucket?: BucketRecord }
  | { ok: false; code: RefusalCode; detail: string };

/**
 * One entry of stanchion's log: the events of one command, the leader epoch that decided
 * them, and the answer given (kept so that a retried command id gets the same answer).
 */
export interface LogEntry {
  seq: number;
  epoch: number;
  commandId?: string;
  events: StanchionEvent[];
  result: CommandResult;
}
