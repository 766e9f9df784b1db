// The public face of auth/: the S3 layer, the CLI and the benchmark import from here, so the
// split of the files behind it can change freely. Nothing here has side effects.

export { authenticate, CLOCK_SKEW_MS_MAX, PRESIGN_EXPIRES_SEC_MAX } from './authenticate.js';
export type { AuthenticateOptions } from './authenticate.js';
export { bodyVerifier } from './body-verifier.js';
export type { BodyVerifier } from './body-verifier.js';
export {
  CHECKSUM_ALGORITHMS,
  PayloadVerifier,
  checksumAlgorithmFromHeader,
  checksumHeaderName,
  createChecksum,
} from './checksums.js';
export type { ChecksumAlgorithm, IncrementalChecksum } from './checksums.js';
export { AwsChunkedDecoder, DEFAULT_CHUNKED_LIMITS } from './chunked.js';
export type { ChunkedLimits, ChunkedPayloadMode } from './chunked.js';
export { presignV2, signV2, signatureV2, stringToSignV2 } from './sigv2.js';
export { presignV4, signV4 } from './sigv4-client.js';
export type { ClientRequest, ClientSignOptions } from './sigv4-client.js';
export {
  EMPTY_SHA256_HEX,
  STREAMING_SIGNED_PAYLOAD,
  STREAMING_SIGNED_PAYLOAD_TRAILER,
  STREAMING_UNSIGNED_PAYLOAD_TRAILER,
  UNSIGNED_PAYLOAD,
  chunkSignatureV4,
  deriveSigningKeyV4,
  formatAmzDate,
  scopeStringV4,
  sha256Hex,
  trailerSignatureV4,
} from './sigv4.js';
export { AuthError, authFailure } from './types.js';
export type {
  AuthAnonymous,
  AuthFailure,
  AuthFailureCode,
  AuthRefused,
  AuthResult,
  AuthSigned,
  Credentials,
  HeaderMap,
  PayloadMode,
  SecretLookup,
  SignedRequest,
} from './types.js';
