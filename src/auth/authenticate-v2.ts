/**
 * Signature V2, in the Authorization header (`AWS key:signature`) and in presigned query
 * strings (`AWSAccessKeyId`, `Expires`, `Signature`), as boto and old SDKs send it.
 */
import {
  checkSkew,
  NO_VALID_DATE,
  queryError,
  sameSignature,
  secretFor,
  signatureMismatch,
  signedResult,
  type AuthContext,
} from './auth-context.js';
import { payloadModeUnsigned } from './payload-mode.js';
import { headerValue, parseRawQuery, queryParam } from './request-parts.js';
import { rawUrlVariantsV2, signatureV2, stringToSignV2 } from './sigv2.js';
import { AuthError, type AuthResult, type Credentials } from './types.js';

/** Whether `signature` signs the request in any of the URL forms S3 accepts. */
function signsRequestV2(
  context: AuthContext,
  credentials: Credentials,
  signature: string,
  expires?: string,
): boolean {
  const { req } = context;
  let matched = false;
  // Every variant is computed and compared, so timing does not tell which one matched.
  for (const rawUrl of rawUrlVariantsV2(req.rawUrl, req.bucketFromHost)) {
    const toSign = stringToSignV2({
      method: req.method,
      rawUrl,
      headers: req.headers,
      bucketFromHost: req.bucketFromHost,
      ...(expires !== undefined ? { expires } : {}),
    });
    const expected = signatureV2(credentials.secretAccessKey, toSign);
    matched = sameSignature(expected, signature) || matched;
  }
  return matched;
}

/** SigV2 in the Authorization header. */
export async function authenticateV2Header(
  context: AuthContext,
  authorization: string,
): Promise<AuthResult> {
  const { req } = context;
  const rest = authorization.slice(4);
  const colon = rest.lastIndexOf(':');
  const accessKeyId = rest.slice(0, Math.max(colon, 0)).trim();
  const signature = rest.slice(colon + 1).trim();
  if (colon < 0 || accessKeyId === '' || signature === '') {
    throw AuthError.of(
      'InvalidArgument',
      'AWS authorization header is invalid.  Expected AwsAccessKeyId:signature',
    );
  }
  const dateText = headerValue(req.headers, 'x-amz-date') ?? headerValue(req.headers, 'date');
  const timeMs = Date.parse(dateText ?? '');
  // S3 takes a date before 1970 as no valid date at all, not as a skewed one.
  if (Number.isNaN(timeMs) || timeMs < 0) throw AuthError.of('AccessDenied', NO_VALID_DATE);
  checkSkew(context, timeMs);
  const payload = payloadModeUnsigned(req.headers);
  const credentials = await secretFor(context, accessKeyId);
  if (!signsRequestV2(context, credentials, signature)) throw signatureMismatch();
  return signedResult(accessKeyId, 'v2', false, payload);
}

/** SigV2 in a presigned query string. */
export async function authenticateV2Query(context: AuthContext): Promise<AuthResult> {
  const { req } = context;
  // `+` is literal here: base64 signatures contain it and old clients do not escape it.
  const query = parseRawQuery(context.rawQuery, false);
  const accessKeyId = queryParam(query, 'AWSAccessKeyId')?.value;
  const signature = queryParam(query, 'Signature')?.value;
  const expires = queryParam(query, 'Expires')?.value;
  if (!accessKeyId || !signature || !expires) {
    throw AuthError.of(
      'AccessDenied',
      'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters',
    );
  }
  if (!/^\d{1,12}$/.test(expires)) throw queryError('Expires must be epoch seconds.');
  if (context.nowMs > Number(expires) * 1000) {
    throw AuthError.of('AccessDenied', 'Request has expired');
  }
  const payload = payloadModeUnsigned(req.headers);
  const credentials = await secretFor(context, accessKeyId);
  if (!signsRequestV2(context, credentials, signature, expires)) throw signatureMismatch();
  return signedResult(accessKeyId, 'v2', true, payload);
}
