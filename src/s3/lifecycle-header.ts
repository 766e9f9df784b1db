/**
 * The x-amz-expiration header of PUT, HEAD and GET: when the bucket's lifecycle rules will
 * expire the current object, and by which rule, as AWS answers it.
 */
import { readBucketSettings } from '../objects/bucket-settings.js';
import { expirationHeader, expiryOf } from '../objects/lifecycle/rules.js';
import type { Manifest } from '../objects/manifest.js';
import type { S3Deps } from '../http/context.js';

/** A "day" unless the process is set otherwise (--lifecycle-day-seconds). */
const DAY_MS = 86_400_000;

/** `{ 'x-amz-expiration': … }` when a rule expires `manifest`, else `{}`. */
export async function expirationHeaders(
  deps: S3Deps,
  manifest: Manifest,
): Promise<Record<string, string>> {
  if (manifest.deleteMarker) return {};
  const rules = deps.lifecycle
    ? await deps.lifecycle.cache.rules(manifest.bucketId)
    : (await readBucketSettings(deps.ring, manifest.bucketId)).lifecycle;
  if (!rules) return {};
  const expiry = expiryOf(rules, manifest, deps.lifecycle?.dayMs ?? DAY_MS);
  return expiry ? { 'x-amz-expiration': expirationHeader(expiry) } : {};
}
