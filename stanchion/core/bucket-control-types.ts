/**
 * The shapes of a bucket's Object Ownership and Block Public Access settings, apart from the
 * rules in bucket-controls.ts, so that records.ts and commands.ts can name them without an
 * import cycle. Types and constants only.
 */

/** S3 Object Ownership: who owns new objects, and whether ACLs count at all. */
export const OBJECT_OWNERSHIPS = [
  'BucketOwnerEnforced',
  'BucketOwnerPreferred',
  'ObjectWriter',
] as const;

/** One Object Ownership setting. */
export type ObjectOwnership = (typeof OBJECT_OWNERSHIPS)[number];

/** A bucket's Block Public Access configuration (a missing element is false). */
export interface PublicAccessBlock {
  /** Refuse requests that set a public ACL (bucket or object). */
  blockPublicAcls: boolean;
  /** Let no public grant (AllUsers, AuthenticatedUsers) allow anything. */
  ignorePublicAcls: boolean;
  /** Refuse a bucket policy that is public. */
  blockPublicPolicy: boolean;
  /** While the policy is public, let it allow nobody but the bucket owner. */
  restrictPublicBuckets: boolean;
}
