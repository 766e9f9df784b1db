/**
 * The records stanchion decides about and the ring stores: users and S3 buckets. Front ends
 * read them from the ring; only stanchion writes them.
 */

/** A user, as Riak CS knew it. */
export interface UserRecord {
  id: string;
  keyId: string;
  secret: string;
  email: string;
  name: string;
  displayName: string;
  status: 'enabled' | 'disabled';
  isAdmin: boolean;
  createdAtMs: number;
}

/** An S3 bucket: its name maps to an id, and objects are keyed by the id. */
export interface BucketRecord {
  name: string;
  id: string;
  ownerId: string;
  createdAtMs: number;
}
