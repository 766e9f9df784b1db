/**
 * An SSE-S3 data key this front end cannot unwrap: its master key is not in the kms key
 * file (removed before `kms rotate` re-wrapped everything, or this front end was given
 * another file), the wrapped key fails its check, or there is no key file at all. That is
 * the server's failure, not the client's: 503 ServiceUnavailable (DESIGN.md), naming the
 * master key's id (a MAC of it, never the key or the wrapped data key), so a client
 * retries, perhaps on another front end. The operator is told once per cause per process,
 * not once per request: a missing key fails every read of every object it wrapped.
 */
import type { S3Context } from '../http/context.js';
import { S3Error } from '../http/errors.js';

/** Causes already logged, per front end (its deps), so a second server logs its own. */
const reported = new WeakMap<object, Set<string>>();

/** The 503 for `why` (which names the key id); logged the first time this front end meets it. */
export function unopenableDataKey(ctx: S3Context, why: string): S3Error {
  const seen = reported.get(ctx.deps) ?? new Set<string>();
  reported.set(ctx.deps, seen);
  if (!seen.has(why)) {
    seen.add(why);
    ctx.request.log.warn(
      `SSE-S3 objects cannot be read: ${why}; further requests meeting this are not logged`,
    );
  }
  return new S3Error('ServiceUnavailable', why, { logged: true });
}
