/**
 * Requests the ACL and policy tests make again and again: anonymous ones (plain fetch), a
 * user's PUT and GET with an optional canned ACL, and whether a key is listed.
 */
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type ObjectCannedACL,
  type S3Client,
} from '@aws-sdk/client-s3';

/** An anonymous request: plain fetch, no signature. */
export async function anonRequest(baseUrl: string, method: string, path: string, body?: string) {
  const res = await fetch(`${baseUrl}${path}`, { method, ...(body !== undefined ? { body } : {}) });
  return { status: res.status, text: await res.text() };
}

/** Whether the key exists, as `lister`'s listing shows (it may not be able to read it). */
export async function keyListed(lister: S3Client, bucket: string, key: string) {
  const listed = await lister.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key }));
  return (listed.Contents ?? []).some((entry) => entry.Key === key);
}

/** PUT of `key` (its body is its name) as `client`, with an optional canned ACL. */
export function putAs(client: S3Client, bucket: string, key: string, acl?: ObjectCannedACL) {
  return client.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: key, ...(acl ? { ACL: acl } : {}) }),
  );
}

/** GET of `key` as `client`. */
export function getAs(client: S3Client, bucket: string, key: string) {
  return client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
}
