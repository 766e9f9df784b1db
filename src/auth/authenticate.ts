// Decides who sent a request: SigV4 or SigV2, in the Authorization header or a presigned query,
// or nobody (anonymous, which the S3 layer may still refuse). It checks the signature, the clock
// skew and the presign expiry, and says what the body verifier must still check. It takes the
// time and the secret lookup as arguments and never reads a clock, a disk or a cache itself.
// Signatures are always compared in constant time.

export { sameSignature } from './auth-context.js';

import { payloadModeUnsigned, payloadModeV4 } from './payload-mode.js';
import { headerValue, parseRawQuery, queryParam, splitRawUrl } from './request-parts.js';
import {
  checkSkew,
  NO_VALID_DATE,
  queryError,
  secretFor,
  signatureMismatch,
  signedResult,
  sameSignature,
  type AuthContext,
} from './auth-context.js';
import { authenticateV2Header, authenticateV2Query } from './authenticate-v2.js';
import {
  AWS4_ALGORITHM,
  deriveSigningKeyV4,
  formatAmzDate,
  normalizeSignedHeaders,
  parseAmzDate,
  parseAuthorizationV4,
  parseCredentialV4,
  scopeStringV4,
  signatureV4,
  UNSIGNED_PAYLOAD,
  unsignedAmzHeaders,
  type CredentialV4,
  type ScopeV4,
} from './sigv4.js';
import {
  AuthError,
  type AuthResult,
  type PayloadMode,
  type SecretLookup,
  type SignedRequest,
} from './types.js';

/** Largest accepted difference between the request time and now: 15 minutes. */
export const CLOCK_SKEW_MS_MAX = 15 * 60 * 1000;
const NOT_SIGNED = 'There were headers present in the request which were not signed';
/** x-amz-* headers a presigned request may carry unsigned: the payload hash only. */
const PRESIGNED_EXEMPT: readonly string[] = ['x-amz-content-sha256'];
/** Longest SigV4 presign validity: one week, in seconds. */
export const PRESIGN_EXPIRES_SEC_MAX = 604800;

/** Options of {@link authenticate}; the defaults are S3's. */
export interface AuthenticateOptions {
  /** SigV4 service name expected in the credential scope; `s3`. */
  service?: string;
  /** Largest accepted clock skew; {@link CLOCK_SKEW_MS_MAX}. */
  clockSkewMsMax?: number;
}

/**
 * Authenticates a request.
 *
 * @param req - the request as received.
 * @param nowMs - the current time, epoch milliseconds.
 * @param lookup - finds the secret of an access key.
 * @returns a signed or anonymous success, or the failure to send back. Errors thrown by
 *   `lookup` propagate unchanged (they are internal errors, not auth failures).
 */
export async function authenticate(
  req: SignedRequest,
  nowMs: number,
  lookup: SecretLookup,
  options: AuthenticateOptions = {},
): Promise<AuthResult> {
  const { rawPath, rawQuery } = splitRawUrl(req.rawUrl);
  const context: AuthContext = {
    req,
    rawPath,
    rawQuery,
    query: parseRawQuery(rawQuery, true),
    nowMs,
    lookup,
    service: options.service ?? 's3',
    clockSkewMsMax: options.clockSkewMsMax ?? CLOCK_SKEW_MS_MAX,
  };
  try {
    return await authenticateWith(context);
  } catch (error) {
    if (error instanceof AuthError) return { ok: false, failure: error.failure };
    throw error;
  }
}

async function authenticateWith(context: AuthContext): Promise<AuthResult> {
  const authorization = headerValue(context.req.headers, 'authorization');
  const has = (name: string): boolean => queryParam(context.query, name) !== undefined;
  const v4Query = has('X-Amz-Algorithm') || has('X-Amz-Credential') || has('X-Amz-Signature');
  const v2Query = has('AWSAccessKeyId') || has('Signature');
  const mechanisms = Number(authorization !== undefined) + Number(v4Query) + Number(v2Query);
  if (mechanisms > 1) {
    throw AuthError.of(
      'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, ' +
        'Signature query string parameter or the Authorization header should be specified.',
    );
  }
  if (authorization !== undefined) {
    if (authorization.startsWith(`${AWS4_ALGORITHM} `)) {
      return authenticateV4Header(context, authorization);
    }
    if (authorization.startsWith('AWS ')) return authenticateV2Header(context, authorization);
    throw AuthError.of('InvalidArgument', 'Unsupported Authorization Type.');
  }
  if (v4Query) return authenticateV4Query(context);
  if (v2Query) return authenticateV2Query(context);
  return {
    ok: true,
    anonymous: true,
    accessKeyId: undefined,
    payload: payloadModeUnsigned(context.req.headers),
  };
}

/** The SigV4 request time: `x-amz-date`, else the `Date` header. */
function requestTimeV4(context: AuthContext): { amzDate: string; timeMs: number } {
  const { headers } = context.req;
  const amzDate = headerValue(headers, 'x-amz-date');
  if (amzDate !== undefined) {
    const timeMs = parseAmzDate(amzDate.trim());
    if (timeMs === undefined) throw AuthError.of('AccessDenied', NO_VALID_DATE);
    return { amzDate: amzDate.trim(), timeMs };
  }
  const timeMs = Date.parse(headerValue(headers, 'date') ?? '');
  if (Number.isNaN(timeMs)) throw AuthError.of('AccessDenied', NO_VALID_DATE);
  return { amzDate: formatAmzDate(timeMs), timeMs };
}

async function authenticateV4Header(
  context: AuthContext,
  authorization: string,
): Promise<AuthResult> {
  const { req } = context;
  const parsed = parseAuthorizationV4(authorization, context.service);
  if ('code' in parsed) throw new AuthError(parsed);
  const { accessKeyId, scope } = parsed.credential;
  if (!parsed.signedHeaders.includes('host')) {
    throw AuthError.of('AuthorizationHeaderMalformed', 'The host header must be signed.');
  }
  const { amzDate, timeMs } = requestTimeV4(context);
  if (scope.date !== amzDate.slice(0, 8)) {
    throw AuthError.of(
      'AuthorizationHeaderMalformed',
      'Invalid credential date. Date is not the same as X-Amz-Date.',
    );
  }
  checkSkew(context, timeMs);
  const contentSha256 = headerValue(req.headers, 'x-amz-content-sha256')?.trim();
  if (contentSha256 === undefined) {
    throw AuthError.of(
      'InvalidRequest',
      'Missing required header for this request: x-amz-content-sha256',
    );
  }
  const signed = { signedHeaders: parsed.signedHeaders, payloadHash: contentSha256 };
  const { signingKey, expected } = await expectedSignatureV4(context, accessKeyId, scope, amzDate, {
    ...signed,
    presigned: false,
  });
  // Classify the payload before comparing, so a bad x-amz-content-sha256 reads as such.
  const seed = {
    seedSignature: parsed.signature,
    signingKey,
    scope: scopeStringV4(scope),
    amzDate,
  };
  const payload = payloadModeV4(contentSha256, seed, req.headers);
  if (!sameSignature(expected, parsed.signature)) throw signatureMismatch();
  const unsigned = unsignedAmzHeaders(req.headers, parsed.signedHeaders);
  if (unsigned.length > 0) throw AuthError.of('AccessDenied', `${NOT_SIGNED}: ${unsigned}`);
  return signedResult(accessKeyId, 'v4', false, payload);
}

/** The signature a V4 request should carry, and the signing key it was made with. */
async function expectedSignatureV4(
  context: AuthContext,
  accessKeyId: string,
  scope: ScopeV4,
  amzDate: string,
  signed: { signedHeaders: string[]; payloadHash: string; presigned: boolean },
): Promise<{ signingKey: Buffer; expected: string }> {
  const credentials = await secretFor(context, accessKeyId);
  const signingKey = deriveSigningKeyV4(credentials.secretAccessKey, scope);
  const input = {
    method: context.req.method,
    rawPath: context.rawPath,
    rawQuery: context.rawQuery,
    headers: context.req.headers,
    ...signed,
  };
  return { signingKey, expected: signatureV4(input, amzDate, scope, signingKey) };
}

const V4_QUERY_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
] as const;

type V4QueryValues = Record<(typeof V4_QUERY_PARAMS)[number], string>;

function v4QueryValues(context: AuthContext): V4QueryValues {
  const values: Partial<V4QueryValues> = {};
  for (const name of V4_QUERY_PARAMS) {
    const value = queryParam(context.query, name)?.value;
    if (value === undefined || value === '') {
      throw queryError(
        'Query-string authentication version 4 requires the X-Amz-Algorithm, ' +
          'X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, ' +
          'and X-Amz-Expires parameters.',
      );
    }
    values[name] = value;
  }
  return values as V4QueryValues;
}

/**
 * X-Amz-Expires in seconds. Text that is no number is malformed (400); a number past a week
 * is refused as S3 refuses it, with 403 (zero and negative ones expired at once).
 */
function presignExpiresSec(text: string): number {
  if (!/^-?\d{1,15}$/.test(text)) {
    throw queryError('X-Amz-Expires should be a number of seconds from 1 to 604800.');
  }
  const expiresSec = Number(text);
  if (expiresSec > PRESIGN_EXPIRES_SEC_MAX) {
    throw AuthError.of(
      'AccessDenied',
      'X-Amz-Expires must be less than a week (in seconds) that is 604800',
    );
  }
  return expiresSec;
}

/** Validates the presign parameters and their time window; returns the parsed credential. */
function checkV4Query(context: AuthContext, values: V4QueryValues): CredentialV4 {
  if (values['X-Amz-Algorithm'] !== AWS4_ALGORITHM) {
    throw queryError(`X-Amz-Algorithm only supports "${AWS4_ALGORITHM}".`);
  }
  const credential = parseCredentialV4(values['X-Amz-Credential'], context.service);
  if ('code' in credential) throw queryError(credential.detail);
  const amzDate = values['X-Amz-Date'];
  const timeMs = parseAmzDate(amzDate);
  if (timeMs === undefined) {
    throw queryError("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\".");
  }
  if (credential.scope.date !== amzDate.slice(0, 8)) {
    throw queryError('Invalid credential date. Date is not the same as X-Amz-Date.');
  }
  const expiresSec = presignExpiresSec(values['X-Amz-Expires']);
  if (expiresSec < 1 || context.nowMs > timeMs + expiresSec * 1000) {
    throw AuthError.of('AccessDenied', 'Request has expired');
  }
  if (timeMs - context.nowMs > context.clockSkewMsMax) {
    throw AuthError.of('AccessDenied', 'Request is not valid yet');
  }
  return credential;
}

async function authenticateV4Query(context: AuthContext): Promise<AuthResult> {
  const { req } = context;
  const values = v4QueryValues(context);
  const { accessKeyId, scope } = checkV4Query(context, values);
  const signedHeaders = normalizeSignedHeaders(values['X-Amz-SignedHeaders'].split(';'));
  if (!signedHeaders.includes('host')) throw queryError('The host header must be signed.');
  const contentSha256 = queryParam(context.query, 'X-Amz-Content-Sha256')?.value;
  const payloadHash = contentSha256 ?? UNSIGNED_PAYLOAD;
  const { expected } = await expectedSignatureV4(
    context,
    accessKeyId,
    scope,
    values['X-Amz-Date'],
    { signedHeaders, payloadHash, presigned: true },
  );
  if (!sameSignature(expected, values['X-Amz-Signature'])) throw signatureMismatch();
  // A presigned URL is a bearer token for one request: an x-amz-* header it did not sign
  // (x-amz-copy-source, x-amz-acl, …) would turn it into another one.
  const unsigned = unsignedAmzHeaders(req.headers, signedHeaders, PRESIGNED_EXEMPT);
  if (unsigned.length > 0) throw AuthError.of('AccessDenied', `${NOT_SIGNED}: ${unsigned}`);
  const payload: PayloadMode =
    contentSha256 !== undefined && /^[0-9a-fA-F]{64}$/.test(contentSha256)
      ? { kind: 'signed-sha256', sha256Hex: contentSha256.toLowerCase() }
      : payloadModeUnsigned(req.headers);
  return signedResult(accessKeyId, 'v4', true, payload);
}
