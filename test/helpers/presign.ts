/**
 * Presigned URLs for tests, made with the repo's own client signers (src/auth). The SDK's
 * presigner (@aws-sdk/s3-request-presigner) is not installed, so these stand in for it;
 * aws-sdk v2's getSignedUrl is the independent presigner the tests compare against.
 * One helper signs an X-Amz-Expires that presignV4 rightly refuses to produce, so a test
 * can prove the server refuses it too, not just the client.
 */
import { presignV2 } from '../../src/auth/sigv2.js';
import { presignV4 } from '../../src/auth/sigv4-client.js';
import {
  AWS4_ALGORITHM,
  UNSIGNED_PAYLOAD,
  deriveSigningKeyV4,
  formatAmzDate,
  scopeStringV4,
  signatureV4,
} from '../../src/auth/sigv4.js';
import { uriEncode } from '../../src/auth/request-parts.js';

/** The endpoint and keys a presigner needs. */
export interface PresignTarget {
  url: string;
  keyId: string;
  secret: string;
}

const REGION = 'us-east-1';

function credentialsOf(target: PresignTarget) {
  return { accessKeyId: target.keyId, secretAccessKey: target.secret };
}

/** A SigV4 presigned URL for `method` on `path` (percent-encoded, may carry a query). */
export function presignedV4(
  target: PresignTarget,
  method: string,
  path: string,
  options: { expiresSec?: number; nowMs?: number } = {},
): string {
  return presignV4(
    { method, url: new URL(path, target.url) },
    credentialsOf(target),
    REGION,
    options.nowMs ?? Date.now(),
    options.expiresSec ?? 300,
  );
}

/** A SigV2 presigned URL (query `Expires`) for `method` on `path`. */
export function presignedV2(
  target: PresignTarget,
  method: string,
  path: string,
  options: { expiresAtSec?: number } = {},
): string {
  const expiresAtSec = options.expiresAtSec ?? Math.floor(Date.now() / 1000) + 300;
  const rawUrl = presignV2({ method, rawUrl: path }, credentialsOf(target), expiresAtSec);
  return new URL(rawUrl, target.url).toString();
}

/**
 * A correctly signed SigV4 presigned GET whose X-Amz-Expires is any text: the server
 * must judge the value itself, not just fail the signature.
 */
export function presignedV4AnyExpiry(
  target: PresignTarget,
  path: string,
  expiresText: string,
): string {
  const url = new URL(path, target.url);
  const amzDate = formatAmzDate(Date.now());
  const scope = { date: amzDate.slice(0, 8), region: REGION, service: 's3' };
  const rawQuery = [
    `X-Amz-Algorithm=${AWS4_ALGORITHM}`,
    `X-Amz-Credential=${uriEncode(`${target.keyId}/${scopeStringV4(scope)}`)}`,
    `X-Amz-Date=${amzDate}`,
    `X-Amz-Expires=${expiresText}`,
    'X-Amz-SignedHeaders=host',
  ].join('&');
  const signature = signatureV4(
    {
      method: 'GET',
      rawPath: url.pathname,
      rawQuery,
      headers: { host: url.host },
      signedHeaders: ['host'],
      payloadHash: UNSIGNED_PAYLOAD,
      presigned: true,
    },
    amzDate,
    scope,
    deriveSigningKeyV4(target.secret, scope),
  );
  return `${url.origin}${url.pathname}?${rawQuery}&X-Amz-Signature=${signature}`;
}
