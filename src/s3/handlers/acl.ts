/**
 * ACLs (?acl) of buckets and objects, and the ACL a new bucket or object gets from its
 * x-amz-acl or x-amz-grant-* headers. A bucket's list is a stanchion mutation; an object's
 * lives in its manifest. Every grantee is resolved (e-mail to canonical id) and checked
 * before anything is written, so a bad grant changes nothing.
 */
import { listUsers, readUserById } from '../../../stanchion/reader.js';
import type { AccessControlList, BucketRecord } from '../../../stanchion/core/records.js';
import type { RingClient } from '../../../ring/client.js';
import { aclsDisabled } from '../../../stanchion/core/bucket-controls.js';
import {
  aclRequestOf,
  cannedAcl,
  inStoredOrder,
  privateAcl,
  userIdsOf,
  type AclRequest,
  type GrantSpec,
  type HeaderMap,
} from '../access/acl.js';
import {
  checkNotBlocked,
  checkWriteAclAllowed,
  newObjectOwnerId,
} from '../access/object-ownership.js';
import { parseAclXml, renderAclXml } from '../access/acl-xml.js';
import { readSmallBody } from '../../http/body.js';
import type { RequestContext } from '../../http/context.js';
import { S3Error } from '../../http/errors.js';
import type { Manifest } from '../../objects/manifest.js';
import { versionIdHeader } from '../object-version.js';
import { authorizedBucket, authorizedObject, existingBucket } from './access.js';
import { throwIfRefused } from './refusal.js';
import { sendEmpty, sendXml } from './responses.js';

/** Largest AccessControlPolicy body accepted, in bytes. */
export const ACL_BYTES_MAX = 64 * 1024;

const USERS_PAGE_SIZE = 1000;

/** The canonical id of the user with `email` (case-insensitive), if any. */
async function userIdByEmail(ring: RingClient, email: string): Promise<string | undefined> {
  const wanted = email.toLowerCase();
  let after: string | undefined;
  // E-mail grants are rare and users few; a scan of the user index beats a second index
  // that every user write would have to keep in step.
  for (;;) {
    const page = await listUsers(ring, after, USERS_PAGE_SIZE);
    const found = page.find((user) => user.email.toLowerCase() === wanted);
    if (found) return found.id;
    if (page.length < USERS_PAGE_SIZE) return undefined;
    after = page.at(-1)!.keyId;
  }
}

/** Grants with every grantee resolved to a known user or a group. */
async function resolveGrants(
  ring: RingClient,
  specs: readonly GrantSpec[],
): Promise<AccessControlList['grants']> {
  const grants: AccessControlList['grants'] = [];
  for (const { grantee, permission } of specs) {
    if (grantee.type === 'AmazonCustomerByEmail') {
      const id = await userIdByEmail(ring, grantee.email);
      if (id === undefined) {
        throw new S3Error('UnresolvableGrantByEmailAddress', undefined, {
          fields: { EmailAddress: grantee.email },
        });
      }
      grants.push({ grantee: { type: 'CanonicalUser', id }, permission });
      continue;
    }
    if (grantee.type === 'CanonicalUser' && !(await readUserById(ring, grantee.id))) {
      throw new S3Error('InvalidArgument', 'Invalid id', {
        fields: { ArgumentName: 'CanonicalUser/ID', ArgumentValue: grantee.id },
      });
    }
    grants.push({ grantee, permission });
  }
  return inStoredOrder(grants);
}

/**
 * The ACL a request's x-amz-acl or x-amz-grant-* headers ask for, for a resource owned by
 * `ownerId` in a bucket owned by `bucketOwnerId`; undefined when they ask for none.
 */
export async function requestedAcl(
  ctx: RequestContext,
  ownerId: string,
  bucketOwnerId: string,
  headers: HeaderMap = ctx.request.headers,
): Promise<AccessControlList | undefined> {
  return aclOfRequest(ctx, aclRequestOf(headers), ownerId, bucketOwnerId);
}

async function aclOfRequest(
  ctx: RequestContext,
  request: AclRequest,
  ownerId: string,
  bucketOwnerId: string,
): Promise<AccessControlList | undefined> {
  if (request.kind === 'none') return undefined;
  if (request.kind === 'canned') return cannedAcl(request.name, ownerId, bucketOwnerId);
  return { ownerId, grants: await resolveGrants(ctx.deps.ring, request.grants) };
}

/**
 * The ACL of an object the request writes into `bucket`: its headers' ACL (or a POST form's
 * fields), else private; owned as the bucket's Object Ownership says (object-ownership.ts).
 * With ACLs disabled it is always the bucket owner's private one; a public ACL is refused
 * while the bucket blocks them.
 */
export async function newObjectAcl(
  ctx: RequestContext,
  bucket: BucketRecord,
  headers: HeaderMap = ctx.request.headers,
): Promise<AccessControlList> {
  const request = aclRequestOf(headers);
  const ownerId = newObjectOwnerId(bucket, ctx.user?.id, request);
  const asked = await aclOfRequest(ctx, request, ownerId, bucket.ownerId);
  checkWriteAclAllowed(bucket, request, asked);
  if (aclsDisabled(bucket)) return privateAcl(bucket.ownerId);
  const acl = asked ?? privateAcl(ownerId);
  checkNotBlocked(bucket, acl);
  return acl;
}

/** The ACL a PutBucketAcl or PutObjectAcl asks for: headers or an XML body, not both. */
async function aclOfPutRequest(
  ctx: RequestContext,
  ownerId: string,
  bucketOwnerId: string,
): Promise<AccessControlList> {
  const fromHeaders = await requestedAcl(ctx, ownerId, bucketOwnerId);
  const body = (await readSmallBody(ctx, ACL_BYTES_MAX)).toString('utf8');
  if (body.trim() === '') {
    if (fromHeaders) return fromHeaders;
    throw new S3Error('MalformedACLError', 'Send an AccessControlPolicy body or ACL headers.');
  }
  if (fromHeaders) {
    throw new S3Error('InvalidRequest', 'Specify an ACL in headers or in the body, not both.');
  }
  const doc = parseAclXml(body);
  if (doc.ownerId !== ownerId) throw new S3Error('AccessDenied', 'The Owner is not the owner.');
  return { ownerId, grants: await resolveGrants(ctx.deps.ring, doc.grants) };
}

async function sendAcl(ctx: RequestContext, acl: AccessControlList): Promise<void> {
  const names = new Map<string, string>();
  for (const id of userIdsOf(acl)) {
    const user = await readUserById(ctx.deps.ring, id);
    if (user) names.set(id, user.displayName);
  }
  sendXml(ctx, 200, renderAclXml(acl, names));
}

/** GET /bucket?acl (s3:GetBucketAcl); with ACLs disabled, the owner's FULL_CONTROL. */
export async function getBucketAcl(ctx: RequestContext, name: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, name, 's3:GetBucketAcl');
  const disabled = aclsDisabled(bucket);
  await sendAcl(ctx, (!disabled && bucket.acl) || privateAcl(bucket.ownerId));
}

/**
 * PUT /bucket?acl (s3:PutBucketAcl). Stanchion refuses it while the bucket's ACLs are
 * disabled, or when it is public and the bucket blocks public ACLs (bucket-controls.ts).
 */
export async function putBucketAcl(ctx: RequestContext, name: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, name, 's3:PutBucketAcl');
  const acl = await aclOfPutRequest(ctx, bucket.ownerId, bucket.ownerId);
  const result = await ctx.deps.stanchion.execute({
    type: 'set-bucket-acl',
    name,
    bucketId: bucket.id,
    acl,
  });
  throwIfRefused(result, name);
  sendEmpty(ctx, 200);
}

/**
 * GET /bucket/key?acl (s3:GetObjectAcl, which the object's own ACL governs); with ACLs
 * disabled the bucket owner owns every object, and the answer says so.
 */
export async function getObjectAcl(ctx: RequestContext, name: string, key: string) {
  const bucket = await existingBucket(ctx, name);
  const versionId = ctx.query.get('versionId');
  const manifest = await authorizedObject(ctx, bucket, key, 's3:GetObjectAcl', {}, versionId);
  ctx.reply.headers(versionIdHeader(manifest));
  const disabled = aclsDisabled(bucket);
  await sendAcl(ctx, (!disabled && manifest.acl) || privateAcl(bucket.ownerId));
}

/** PUT /bucket/key?acl (s3:PutObjectAcl): rewrites the manifest, keeping the bytes. */
export async function putObjectAcl(ctx: RequestContext, name: string, key: string) {
  const bucket = await existingBucket(ctx, name);
  const versionId = ctx.query.get('versionId');
  const manifest = await authorizedObject(ctx, bucket, key, 's3:PutObjectAcl', {}, versionId);
  if (aclsDisabled(bucket)) throw new S3Error('AccessControlListNotSupported');
  const ownerId = manifest.acl?.ownerId ?? bucket.ownerId;
  const acl = await aclOfPutRequest(ctx, ownerId, bucket.ownerId);
  checkNotBlocked(bucket, acl);
  const change = (current: Manifest) => {
    // A PUT that replaced the object meanwhile has its own ACL; this one was not for it.
    if (current.versionId !== manifest.versionId) throw new S3Error('OperationAborted');
    return { ...current, acl };
  };
  const objects = ctx.deps.objects;
  const written =
    versionId === null
      ? await objects.rewrite(bucket.id, key, change)
      : await objects.rewriteVersion(manifest, change);
  if (!written) throw S3Error.noSuchKey(key);
  sendEmpty(ctx, 200, versionIdHeader(written));
}
