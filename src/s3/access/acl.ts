/**
 * S3 access control lists, as values: canned ACLs, the x-amz-grant-* headers, the
 * AccessControlPolicy XML both ways, and what a list grants a requester. Pure: e-mail
 * grantees are left for the shell to resolve (a user lookup is I/O), and an unresolved one
 * can never reach a stored list, so no check here has to think about them.
 */
import type { AccessControlList, Grantee, Permission } from '../../../stanchion/core/records.js';
import { S3Error } from '../../http/errors.js';

/** The predefined groups a grant may name, by URI. */
export const GROUP_URIS = {
  AllUsers: 'http://acs.amazonaws.com/groups/global/AllUsers',
  AuthenticatedUsers: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
  LogDelivery: 'http://acs.amazonaws.com/groups/s3/LogDelivery',
} as const;

const KNOWN_GROUP_URIS: ReadonlySet<string> = new Set(Object.values(GROUP_URIS));

/** Every permission, in the order S3 lists them. */
export const PERMISSIONS: readonly Permission[] = [
  'FULL_CONTROL',
  'WRITE',
  'WRITE_ACP',
  'READ',
  'READ_ACP',
];

/** Most grants one list may hold (S3's limit). */
export const GRANTS_MAX = 100;

/** A grantee as a request names it: e-mail grantees are resolved to users by the shell. */
export type GranteeSpec = Grantee | { type: 'AmazonCustomerByEmail'; email: string };

/** One grant as a request names it. */
export interface GrantSpec {
  grantee: GranteeSpec;
  permission: Permission;
}

/** The canned ACL names S3 accepts in x-amz-acl. */
export const CANNED_ACLS = [
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
  'log-delivery-write',
] as const;

/** One canned ACL name. */
export type CannedAcl = (typeof CANNED_ACLS)[number];

/** Who is asking: a user's canonical id, or nobody (an anonymous request). */
export interface Requester {
  /** The user's canonical id; undefined when anonymous. */
  id?: string;
}

/** The list a resource without a stored one has: its owner holds FULL_CONTROL. */
export function privateAcl(ownerId: string): AccessControlList {
  return { ownerId, grants: [{ grantee: user(ownerId), permission: 'FULL_CONTROL' }] };
}

function user(id: string): Grantee {
  return { type: 'CanonicalUser', id };
}

function group(uri: string): Grantee {
  return { type: 'Group', uri };
}

/**
 * Grants in the order Cairn stores and renders them: group grants first, then users', each
 * kept in the order given. It is the order Riak CS and Ceph RGW answer (ceph/s3-tests
 * compares grants in it), and a list read back and sent again (boto's get_acl, add a grant,
 * set_acl) keeps its order, so it reads back exactly as sent.
 */
export function inStoredOrder<T extends { grantee: { type: string } }>(grants: readonly T[]) {
  return [
    ...grants.filter((grant) => grant.grantee.type === 'Group'),
    ...grants.filter((grant) => grant.grantee.type !== 'Group'),
  ];
}

/**
 * The list a canned ACL stands for, in stored order. `bucketOwnerId` matters only to the
 * bucket-owner-* ACLs of objects; on a bucket (or when the writer owns the bucket) they add
 * nothing.
 */
export function cannedAcl(
  name: CannedAcl,
  ownerId: string,
  bucketOwnerId: string = ownerId,
): AccessControlList {
  const acl = privateAcl(ownerId);
  const add = (grantee: Grantee, permission: Permission) =>
    acl.grants.push({ grantee, permission });
  cannedGrants(name, ownerId, bucketOwnerId, add);
  return { ownerId, grants: inStoredOrder(acl.grants) };
}

function cannedGrants(
  name: CannedAcl,
  ownerId: string,
  bucketOwnerId: string,
  add: (grantee: Grantee, permission: Permission) => void,
): void {
  switch (name) {
    case 'private':
      break;
    case 'public-read-write':
      add(group(GROUP_URIS.AllUsers), 'READ');
      add(group(GROUP_URIS.AllUsers), 'WRITE');
      break;
    case 'public-read':
      add(group(GROUP_URIS.AllUsers), 'READ');
      break;
    case 'authenticated-read':
      add(group(GROUP_URIS.AuthenticatedUsers), 'READ');
      break;
    case 'bucket-owner-read':
      if (bucketOwnerId !== ownerId) add(user(bucketOwnerId), 'READ');
      break;
    case 'bucket-owner-full-control':
      if (bucketOwnerId !== ownerId) add(user(bucketOwnerId), 'FULL_CONTROL');
      break;
    case 'log-delivery-write':
      add(group(GROUP_URIS.LogDelivery), 'WRITE');
      add(group(GROUP_URIS.LogDelivery), 'READ_ACP');
      break;
  }
}

/** The canned ACL an x-amz-acl value names; InvalidArgument for any other value. */
export function parseCannedAcl(value: string): CannedAcl {
  const name = value.trim();
  if ((CANNED_ACLS as readonly string[]).includes(name)) return name as CannedAcl;
  throw new S3Error('InvalidArgument', `Invalid canned ACL: ${value}`, {
    fields: { ArgumentName: 'x-amz-acl', ArgumentValue: value },
  });
}

/** The x-amz-grant-* headers and the permission each grants. */
export const GRANT_HEADERS: ReadonlyArray<[header: string, permission: Permission]> = [
  ['x-amz-grant-full-control', 'FULL_CONTROL'],
  ['x-amz-grant-write', 'WRITE'],
  ['x-amz-grant-write-acp', 'WRITE_ACP'],
  ['x-amz-grant-read', 'READ'],
  ['x-amz-grant-read-acp', 'READ_ACP'],
];

/**
 * The grantees of one x-amz-grant-* header value: a comma-separated list of
 * id="…", uri="…" or emailAddress="…" (quotes optional). InvalidArgument when malformed.
 */
export function parseGrantHeader(header: string, value: string): GranteeSpec[] {
  const grantees: GranteeSpec[] = [];
  const pattern = /\s*([A-Za-z]+)\s*=\s*(?:"([^"]*)"|([^,"\s]*))\s*(,|$)/y;
  let at = 0;
  while (at < value.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(value);
    if (!match || match[0] === '') throw badGrant(header, value);
    const [, type, quoted, bare] = match;
    grantees.push(granteeOfHeader(type!, (quoted ?? bare ?? '').trim(), header, value));
    at = pattern.lastIndex;
    if (match[4] === ',' && at >= value.length) throw badGrant(header, value);
  }
  if (grantees.length === 0) throw badGrant(header, value);
  return grantees;
}

function granteeOfHeader(type: string, text: string, header: string, value: string) {
  if (text === '') throw badGrant(header, value);
  switch (type.toLowerCase()) {
    case 'id':
      return user(text);
    case 'uri':
      return checkedGroup(text);
    case 'emailaddress':
      return { type: 'AmazonCustomerByEmail' as const, email: text };
    default:
      throw badGrant(header, value);
  }
}

function badGrant(header: string, value: string): S3Error {
  return new S3Error('InvalidArgument', `Invalid grant header ${header}`, {
    fields: { ArgumentName: header, ArgumentValue: value },
  });
}

function checkedGroup(uri: string): Grantee {
  if (!KNOWN_GROUP_URIS.has(uri)) {
    throw new S3Error('InvalidArgument', 'Invalid group uri', {
      fields: { ArgumentName: 'uri', ArgumentValue: uri },
    });
  }
  return group(uri);
}

/** Header values by lower-case name, as fastify gives them. */
export type HeaderMap = Record<string, string | string[] | undefined>;

function headerText(headers: HeaderMap, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * What a request's ACL headers ask for: a canned ACL, explicit grants, or nothing.
 * InvalidRequest when it names both, as S3 refuses.
 */
export type AclRequest =
  { kind: 'none' } | { kind: 'canned'; name: CannedAcl } | { kind: 'grants'; grants: GrantSpec[] };

/** Reads x-amz-acl and the x-amz-grant-* headers. */
export function aclRequestOf(headers: HeaderMap): AclRequest {
  const canned = headerText(headers, 'x-amz-acl');
  const grants: GrantSpec[] = [];
  for (const [header, permission] of GRANT_HEADERS) {
    const value = headerText(headers, header);
    if (value === undefined) continue;
    for (const grantee of parseGrantHeader(header, value)) grants.push({ grantee, permission });
  }
  if (canned !== undefined && grants.length > 0) {
    throw new S3Error(
      'InvalidRequest',
      'Specifying both Canned ACLs and Header Grants is not allowed',
    );
  }
  if (grants.length > GRANTS_MAX) throw new S3Error('MalformedACLError', 'Too many grants.');
  if (canned !== undefined) return { kind: 'canned', name: parseCannedAcl(canned) };
  return grants.length > 0 ? { kind: 'grants', grants } : { kind: 'none' };
}

/** Whether `grantee` covers `requester`: the user itself, or a group it belongs to. */
function covers(grantee: Grantee, requester: Requester): boolean {
  if (grantee.type === 'CanonicalUser')
    return requester.id !== undefined && grantee.id === requester.id;
  if (grantee.uri === GROUP_URIS.AllUsers) return true;
  if (grantee.uri === GROUP_URIS.AuthenticatedUsers) return requester.id !== undefined;
  return false;
}

/** Whether `acl` grants `requester` the permission (FULL_CONTROL includes every one). */
export function aclPermits(
  acl: AccessControlList,
  requester: Requester,
  permission: Permission,
): boolean {
  return acl.grants.some(
    (grant) =>
      (grant.permission === permission || grant.permission === 'FULL_CONTROL') &&
      covers(grant.grantee, requester),
  );
}

/** The canonical ids of the users a list names (its owner first), without repeats. */
export function userIdsOf(acl: AccessControlList): string[] {
  const ids = [acl.ownerId];
  for (const { grantee } of acl.grants) {
    if (grantee.type === 'CanonicalUser') ids.push(grantee.id);
  }
  return [...new Set(ids)];
}
