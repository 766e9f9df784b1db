/**
 * What the SigV4 and SigV2 authenticators share: the request context, the clock-skew check,
 * the secret lookup, constant-time signature comparison and the common failures.
 */
import { timingSafeEqual } from 'node:crypto';
import type { QueryParam } from './request-parts.js';
import {
  AuthError,
  type AuthSigned,
  type Credentials,
  type PayloadMode,
  type SecretLookup,
  type SignedRequest,
} from './types.js';

/** One request being authenticated, with what every scheme needs. */
export interface AuthContext {
  req: SignedRequest;
  rawPath: string;
  rawQuery: string;
  query: QueryParam[];
  nowMs: number;
  lookup: SecretLookup;
  service: string;
  clockSkewMsMax: number;
}

/** Compares two signatures in constant time. */
export function sameSignature(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(provided, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function checkSkew(context: AuthContext, requestTimeMs: number): void {
  if (Math.abs(context.nowMs - requestTimeMs) > context.clockSkewMsMax) {
    throw AuthError.of(
      'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
    );
  }
}

export const NO_VALID_DATE = 'AWS authentication requires a valid Date or x-amz-date header.';

export async function secretFor(context: AuthContext, accessKeyId: string): Promise<Credentials> {
  const credentials = await context.lookup(accessKeyId);
  if (credentials === undefined) {
    throw AuthError.of(
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    );
  }
  return credentials;
}

export function signedResult(
  accessKeyId: string,
  signatureVersion: 'v2' | 'v4',
  presigned: boolean,
  payload: PayloadMode,
): AuthSigned {
  return { ok: true, anonymous: false, accessKeyId, signatureVersion, presigned, payload };
}

export function signatureMismatch(): AuthError {
  return AuthError.of(
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. ' +
      'Check your key and signing method.',
  );
}

export function queryError(detail: string): AuthError {
  return AuthError.of('AuthorizationQueryParametersError', detail);
}
