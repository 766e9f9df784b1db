/**
 * The records stanchion decides about and the ring stores: users and S3 buckets. Front ends
 * read them from the ring; only stanchion writes them. Each projected record carries the
 * revision (epoch, sequence number) of the log entry that produced it, so a write from a
 * fenced stanchion can never replace a newer one.
 */

/** Where in stanchion's log a record was decided: the leader's epoch and the entry's seq. */
export interface Revision {
  epoch: number;
  seq: number;
}

import type { ObjectOwnership, PublicAccessBlock } from './bucket-control-types.js';

declare const storedSecret: unique symbol;
/**
 * A user's secret key as stored: sealed under the key file, or as given without one
 * (stanchion/secret-box.ts). A string at run time, but not one to the compiler, so every
 * read and write of a stored secret goes through the box that seals and opens it.
 */
export type StoredSecret = { readonly [storedSecret]: 'StoredSecret' };

/** A user, as Riak CS knew it. */
export interface UserRecord {
  id: string;
  keyId: string;
  secret: StoredSecret;
  email: string;
  name: string;
  displayName: string;
  status: 'enabled' | 'disabled';
  isAdmin: boolean;
  createdAtMs: number;
  /** The user's storage quota over all its buckets; absent: none. */
  quota?: Quota;
  rev?: Revision;
}

/** Who a grant is for: a user by canonical id, or one of S3's predefined groups. */
export type Grantee =
  { type: 'CanonicalUser'; id: string; displayName?: string } | { type: 'Group'; uri: string };

/** S3's permissions. */
export type Permission = 'FULL_CONTROL' | 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP';

/** An access control list: the owner and the grants (S3's AccessControlPolicy). */
export interface AccessControlList {
  ownerId: string;
  grants: Array<{ grantee: Grantee; permission: Permission }>;
}

/** An S3 bucket: its name maps to an id, and objects are keyed by the id. */
/** A bucket's versioning state once set (S3 has no way back to unversioned). */
export type BucketVersioning = 'Enabled' | 'Suspended';

/** Object lock's retention modes (S3's names). */
export type RetentionMode = 'GOVERNANCE' | 'COMPLIANCE';

/** A bucket's default retention: a mode and a period of whole days or whole years. */
export interface DefaultRetention {
  mode: RetentionMode;
  days?: number;
  years?: number;
}

/** A bucket's object lock: once enabled never disabled; an optional default retention. */
export interface BucketObjectLock {
  enabled: true;
  defaultRetention?: DefaultRetention;
}

export interface BucketRecord {
  name: string;
  id: string;
  ownerId: string;
  createdAtMs: number;
  acl?: AccessControlList;
  /** The bucket policy document, as the owner sent it (validated by the front end). */
  policy?: string;
  /** S3 Object Ownership; absent: none set (objects belong to their writer, ACLs count). */
  objectOwnership?: ObjectOwnership;
  /** Block Public Access; absent: none set. */
  publicAccessBlock?: PublicAccessBlock;
  /** S3 versioning; absent: never enabled (objects keep one unversioned record per key). */
  versioning?: BucketVersioning;
  /** S3 object lock; absent: never enabled. Requires (and pins) versioning Enabled. */
  objectLock?: BucketObjectLock;
  /** The bucket's storage quota; absent: none. */
  quota?: Quota;
  rev?: Revision;
  /** Set on the record that replaces a deleted bucket's, so a stale write cannot revive it. */
  deleted?: true;
}

/** A storage quota (stanchion/core/quota.ts): either limit may be absent (no limit). */
export interface Quota {
  /** The most bytes the user's (or bucket's) objects may take. */
  bytesMax?: number;
  /** The most objects the user (or bucket) may hold. */
  objectsMax?: number;
}

/** Whether revision `a` was decided after `b` (a missing revision is the oldest). */
export function isNewerRevision(a: Revision | undefined, b: Revision | undefined): boolean {
  if (!a) return false;
  if (!b) return true;
  return a.epoch !== b.epoch ? a.epoch > b.epoch : a.seq > b.seq;
}
