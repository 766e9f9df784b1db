/**
 * Whether a bucket policy is public, as AWS defines it for Block Public Access and
 * GetBucketPolicyStatus: some Allow statement grants to a principal that is not fixed ("*",
 * a wildcard, or everyone but some via NotPrincipal) without limiting it to a set of CIDRs
 * with aws:SourceIp. Deny statements never make a policy public. It reads the stored
 * document, which policy.ts validated before it was stored, so the evaluator there stays
 * as it is. Pure.
 */
import {
  aclsDisabled,
  isPublicAcl,
  type ObjectOwnership,
  type PublicAccessBlock,
} from '../../../stanchion/core/bucket-controls.js';
import type { AccessControlList } from '../../../stanchion/core/records.js';

type Node = Record<string, unknown>;

function listOf(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether the statement's principal is anyone at all (not a fixed set of users). */
function grantsToAnyone(statement: Node): boolean {
  if (statement['NotPrincipal'] !== undefined) return true;
  const principal = statement['Principal'];
  if (principal === '*') return true;
  if (!isNode(principal)) return false;
  return Object.values(principal).some((entries) =>
    listOf(entries).some((entry) => typeof entry === 'string' && entry.includes('*')),
  );
}

/** Whether a CIDR (or a single address) names less than the whole address space. */
function isLimitingCidr(value: unknown): boolean {
  if (typeof value !== 'string' || value.includes('*')) return false;
  return !/\/0$/.test(value.trim());
}

/** Whether the statement holds only for requests from a fixed set of CIDRs. */
function limitedToCidrs(statement: Node): boolean {
  const conditions = statement['Condition'];
  if (!isNode(conditions)) return false;
  const ipAddress = conditions['IpAddress'];
  if (!isNode(ipAddress)) return false;
  return Object.entries(ipAddress).some(
    ([key, values]) =>
      key.toLowerCase() === 'aws:sourceip' &&
      listOf(values).length > 0 &&
      listOf(values).every(isLimitingCidr),
  );
}

function isPublicStatement(statement: unknown): boolean {
  if (!isNode(statement) || statement['Effect'] !== 'Allow') return false;
  return grantsToAnyone(statement) && !limitedToCidrs(statement);
}

/** Whether a (valid) policy document grants public access. */
export function isPublicPolicy(text: string): boolean {
  const doc = JSON.parse(text) as unknown;
  if (!isNode(doc)) return false;
  return listOf(doc['Statement']).some(isPublicStatement);
}

/** The parts of a bucket that make it public. */
export interface PublicnessInput {
  acl?: AccessControlList;
  policy?: string;
  objectOwnership?: ObjectOwnership;
  publicAccessBlock?: PublicAccessBlock;
}

/**
 * GetBucketPolicyStatus' IsPublic: whether the bucket's ACL or policy lets the public in,
 * counting only what its Object Ownership and Block Public Access settings leave in force
 * (disabled or ignored ACLs, and a policy restricted to the owner, let nobody in).
 */
export function bucketIsPublic(bucket: PublicnessInput): boolean {
  const block = bucket.publicAccessBlock;
  const aclPublic =
    !aclsDisabled(bucket) && !block?.ignorePublicAcls && !!bucket.acl && isPublicAcl(bucket.acl);
  const policyPublic =
    bucket.policy !== undefined && !block?.restrictPublicBuckets && isPublicPolicy(bucket.policy);
  return aclPublic || policyPublic;
}
