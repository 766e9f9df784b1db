/**
 * The x-amz-expiration header of PUT, HEAD and GET: when the bucket's lifecycle rules will
 * expire the current object, and by which rule, as AWS answers it: always in real days
 * rounded to midnight UTC, even under a short test day (RGW answers so, and ceph's s3-tests
 * check it against the wall clock).
 */
import { settingsOf } from '../objects/bucket-settings-cache.js';
import { DAY_MS, expirationHeader, expiryOf } from '../objects/lifecycle/rules.js';
import type { Manifest } from '../objects/manifest.js';
import type { S3Deps } from '../http/context.js';

/** `{ 'x-amz-expiration': … }` when a rule expires `manifest`, else `{}`. */
export async function expirationHeaders(
  deps: S3Deps,
  manifest: Manifest,
): Promise<Record<string, string>> {
  if (manifest.deleteMarker) return {};
  const rules = (await settingsOf(deps, manifest.bucketId)).lifecycle;
  if (!rules) return {};
  const expiry = expiryOf(rules, manifest, DAY_MS);
  return expiry ? { 'x-amz-expiration': expirationHeader(expiry) } : {};
}
