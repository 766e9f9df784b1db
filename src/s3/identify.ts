/**
 * Turns a request's credentials into a user: runs the signature check against secrets read
 * from the ring (through the front end's cache, src/cache/), and refuses unknown and
 * disabled callers; an unsigned request is anonymous, and authorization (handlers/access.ts)
 * decides what it may do. Auth's own failure codes become the S3 errors of the same name
 * here, at the boundary.
 */
import type { FastifyRequest } from 'fastify';
import type { UserRecord } from '../../stanchion/core/records.js';
import { secretsOf } from '../../stanchion/secret-box.js';
import { authenticate } from '../auth/authenticate.js';
import { userByKey } from '../cache/lookups.js';
import type { PayloadMode, SignedRequest } from '../auth/types.js';
import type { S3Deps } from '../http/context.js';
import { S3Error } from '../http/errors.js';

/** The caller, or undefined for an anonymous request, with what its body must pass. */
export interface Identity {
  user?: UserRecord;
  payload: PayloadMode;
}

/** Authenticates a request; S3Error on any refusal. */
export async function identify(
  deps: S3Deps,
  request: FastifyRequest,
  bucketFromHost: string | undefined,
): Promise<Identity> {
  const raw = request.raw;
  const signed: SignedRequest = {
    method: raw.method ?? 'GET',
    rawUrl: raw.url ?? '/',
    headers: raw.headersDistinct as SignedRequest['headers'],
    ...(bucketFromHost !== undefined ? { bucketFromHost } : {}),
  };
  const users = new Map<string, UserRecord>();
  const result = await authenticate(signed, deps.clock(), async (keyId) => {
    const user = await userByKey(deps, request, keyId);
    if (!user) return undefined;
    users.set(keyId, user);
    return { accessKeyId: user.keyId, secretAccessKey: secretsOf(deps).open(keyId, user.secret) };
  });
  if (!result.ok) throw new S3Error(result.failure.code, result.failure.detail);
  if (result.anonymous) return { payload: result.payload };
  const user = users.get(result.accessKeyId);
  if (!user) throw new S3Error('InvalidAccessKeyId');
  if (user.status !== 'enabled') throw new S3Error('AccessDenied', 'Your account is disabled.');
  return { user, payload: result.payload };
}
