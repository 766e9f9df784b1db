// The one entry point the S3 layer pipes every request body through, whatever the payload mode:
// it picks the aws-chunked decoder or the plain pass-through verifier so handlers never branch
// on signature details. The stream's clean end is the only proof the body is authentic.

import type { Transform } from 'node:stream';

import { AwsChunkedDecoder, type ChunkedLimits } from './chunked.js';
import { PayloadVerifier, checksumsFromHeaders, type ChecksumAlgorithm } from './checksums.js';
import { AuthError, type HeaderMap, type PayloadMode } from './types.js';

/** A body verifier: pipe the raw body through `stream`, read `checksums()` after it ends. */
export interface BodyVerifier {
  /** Emits the decoded object data; errors with an `AuthError` when verification fails. */
  stream: Transform;
  /** Verified `x-amz-checksum-*` values keyed by header name, once `stream` has ended. */
  checksums(): Record<string, string>;
}

function headerChecksumsOrError(headers: HeaderMap): {
  expected: Map<ChecksumAlgorithm, string>;
  error?: AuthError;
} {
  try {
    return { expected: checksumsFromHeaders(headers) };
  } catch (error) {
    return { expected: new Map(), error: error as AuthError };
  }
}

/**
 * Builds the verifier for a request body.
 *
 * @param payload - the mode `authenticate` returned.
 * @param headers - the request headers (for `x-amz-checksum-*`).
 * @param limits - aws-chunked framing limits; defaults are safe.
 */
export function bodyVerifier(
  payload: PayloadMode,
  headers: HeaderMap,
  limits?: Partial<ChunkedLimits>,
): BodyVerifier {
  if (payload.kind === 'streaming-signed' || payload.kind === 'streaming-unsigned-trailer') {
    const decoder = new AwsChunkedDecoder({ payload, headers, limits });
    return { stream: decoder, checksums: () => decoder.checksums() };
  }
  const { expected, error } = headerChecksumsOrError(headers);
  const sha256Hex = payload.kind === 'signed-sha256' ? payload.sha256Hex : undefined;
  const verifier = new PayloadVerifier({ sha256Hex, expected, failWith: error });
  return { stream: verifier, checksums: () => verifier.checksums() };
}
