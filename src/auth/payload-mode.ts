// Reads what a request says about its body (`x-amz-content-sha256`, the aws-chunked headers)
// and turns it into the PayloadMode the body verifier acts on. Kept apart from authenticate.ts
// so the rules for each mode sit in one place.

import {
  STREAMING_SIGNED_PAYLOAD,
  STREAMING_SIGNED_PAYLOAD_TRAILER,
  STREAMING_UNSIGNED_PAYLOAD_TRAILER,
  UNSIGNED_PAYLOAD,
} from './sigv4.js';
import { headerValue } from './request-parts.js';
import { AuthError, type ChunkedPayloadFields, type HeaderMap, type PayloadMode } from './types.js';

/** What a SigV4 header signature contributes to a streaming-signed payload. */
export interface SeedV4 {
  seedSignature: string;
  signingKey: Buffer;
  scope: string;
  amzDate: string;
}

const SHA256_HEX_PATTERN = /^[0-9a-fA-F]{64}$/;

/** Reads `x-amz-decoded-content-length` and `x-amz-trailer`. */
export function chunkedPayloadFields(headers: HeaderMap): ChunkedPayloadFields {
  const lengthText = headerValue(headers, 'x-amz-decoded-content-length');
  if (lengthText !== undefined && !/^\d{1,15}$/.test(lengthText.trim())) {
    throw AuthError.of('InvalidArgument', 'x-amz-decoded-content-length is not a valid length.');
  }
  const trailerText = headerValue(headers, 'x-amz-trailer') ?? '';
  const trailerNames = [
    ...new Set(
      trailerText
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter((name) => name !== ''),
    ),
  ];
  const fields: ChunkedPayloadFields = { trailerNames };
  if (lengthText !== undefined) fields.decodedContentLengthBytes = Number(lengthText.trim());
  return fields;
}

/**
 * Classifies the `x-amz-content-sha256` value of a SigV4 header-signed request.
 *
 * @throws AuthError InvalidArgument for an unknown value.
 */
export function payloadModeV4(
  contentSha256: string,
  seed: SeedV4,
  headers: HeaderMap,
): PayloadMode {
  if (SHA256_HEX_PATTERN.test(contentSha256)) {
    return { kind: 'signed-sha256', sha256Hex: contentSha256.toLowerCase() };
  }
  switch (contentSha256) {
    case UNSIGNED_PAYLOAD:
      return { kind: 'unsigned' };
    case STREAMING_SIGNED_PAYLOAD:
    case STREAMING_SIGNED_PAYLOAD_TRAILER:
      return {
        kind: 'streaming-signed',
        ...seed,
        trailer: contentSha256 === STREAMING_SIGNED_PAYLOAD_TRAILER,
        ...chunkedPayloadFields(headers),
      };
    case STREAMING_UNSIGNED_PAYLOAD_TRAILER:
      return { kind: 'streaming-unsigned-trailer', ...chunkedPayloadFields(headers) };
    default:
      throw AuthError.of(
        'InvalidArgument',
        `x-amz-content-sha256 must be ${UNSIGNED_PAYLOAD}, ` +
          `${STREAMING_UNSIGNED_PAYLOAD_TRAILER}, ` +
          `${STREAMING_SIGNED_PAYLOAD}, ${STREAMING_SIGNED_PAYLOAD_TRAILER} ` +
          'or a valid sha256 value.',
      );
  }
}

/**
 * The payload mode of a request without a SigV4 header signature (V2, presigned, anonymous):
 * nothing to verify, except an unsigned aws-chunked body, which still has to be decoded.
 *
 * @throws AuthError InvalidRequest for a signed streaming body, which needs a seed signature.
 */
export function payloadModeUnsigned(headers: HeaderMap): PayloadMode {
  const contentSha256 = headerValue(headers, 'x-amz-content-sha256');
  if (contentSha256 === STREAMING_UNSIGNED_PAYLOAD_TRAILER) {
    return { kind: 'streaming-unsigned-trailer', ...chunkedPayloadFields(headers) };
  }
  const signedStreaming =
    contentSha256 === STREAMING_SIGNED_PAYLOAD ||
    contentSha256 === STREAMING_SIGNED_PAYLOAD_TRAILER;
  if (signedStreaming) {
    throw AuthError.of(
      'InvalidRequest',
      `${contentSha256} requires a Signature Version 4 Authorization header.`,
    );
  }
  return { kind: 'none' };
}
