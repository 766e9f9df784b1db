// The shared vocabulary of the auth module: what a request looks like to the signature checkers,
// what they answer, and what the body verifiers must still check once the headers have passed.
// Everything here is plain data. Nothing in auth/ may read the clock, the disk or the network:
// the S3 layer hands in the request, the time and a secret lookup, and maps failures 1:1 to S3.

/**
 * A request as the signature checkers see it, before any decoding of its parts.
 */
export interface SignedRequest {
  /** HTTP method, upper case as received (e.g. `GET`). */
  method: string;
  /** Path and query exactly as received, still percent-encoded, e.g. `/bkt/a%20b?uploads`. */
  rawUrl: string;
  /**
   * Header map with lower-cased names (node `IncomingHttpHeaders`). Pass node's
   * `headersDistinct` when possible: node joins repeated headers with `', '`, whereas both
   * signature versions join them with `','`, so only the distinct form signs exactly.
   */
  headers: HeaderMap;
  /** Set when virtual-hosted-style addressing put the bucket in the Host header. */
  bucketFromHost?: string;
}

/** Lower-cased header names to values, as node delivers them. */
export type HeaderMap = Readonly<Record<string, string | readonly string[] | undefined>>;

/** One access key and its secret. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Finds the secret of an access key; `undefined` means the key does not exist. */
export type SecretLookup = (accessKeyId: string) => Promise<Credentials | undefined>;

/** The S3 error codes auth can produce; the S3 layer maps each to the same S3 code. */
export type AuthFailureCode =
  | 'InvalidAccessKeyId'
  | 'SignatureDoesNotMatch'
  | 'RequestTimeTooSkewed'
  | 'AccessDenied'
  | 'AuthorizationHeaderMalformed'
  | 'AuthorizationQueryParametersError'
  | 'InvalidArgument'
  | 'InvalidRequest'
  | 'MissingSecurityHeader'
  | 'XAmzContentSHA256Mismatch'
  | 'IncompleteBody'
  | 'BadDigest'
  | 'InvalidDigest'
  | 'MalformedTrailerError'
  | 'InvalidEncryptionAlgorithmError';

/** Why a request or its body was refused; `detail` is a human-readable S3-style message. */
export interface AuthFailure {
  code: AuthFailureCode;
  detail: string;
}

/** Builds an {@link AuthFailure}. */
export function authFailure(code: AuthFailureCode, detail: string): AuthFailure {
  return { code, detail };
}

/**
 * The error the body streams fail with. It carries the {@link AuthFailure} so the S3 layer can
 * render it like any other auth refusal.
 */
export class AuthError extends Error {
  readonly failure: AuthFailure;

  constructor(failure: AuthFailure, options?: { cause?: unknown }) {
    super(`${failure.code}: ${failure.detail}`, options);
    this.name = 'AuthError';
    this.failure = failure;
  }

  /** The S3 error code. */
  get code(): AuthFailureCode {
    return this.failure.code;
  }

  /** Shorthand for `new AuthError(authFailure(code, detail))`. */
  static of(code: AuthFailureCode, detail: string): AuthError {
    return new AuthError(authFailure(code, detail));
  }
}

/** Fields shared by the two aws-chunked payload modes. */
export interface ChunkedPayloadFields {
  /** Declared `x-amz-decoded-content-length` in bytes, when the client sent one. */
  decodedContentLengthBytes?: number;
  /** Lower-cased names declared in `x-amz-trailer` (e.g. `x-amz-checksum-crc32`). */
  trailerNames: readonly string[];
}

/**
 * What the body verifier must do once the headers are authenticated.
 *
 * - `none`: V2, anonymous and presigned requests; only Content-MD5, checked by the S3 layer.
 * - `signed-sha256`: the body must hash to `sha256Hex`.
 * - `unsigned`: `UNSIGNED-PAYLOAD`; nothing but optional checksum headers.
 * - `streaming-signed`: `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`; every chunk signature
 *   chains from `seedSignature`.
 * - `streaming-unsigned-trailer`: `STREAMING-UNSIGNED-PAYLOAD-TRAILER`.
 */
export type PayloadMode =
  | { kind: 'none' }
  | { kind: 'signed-sha256'; sha256Hex: string }
  | { kind: 'unsigned' }
  | ({
      kind: 'streaming-signed';
      /** The request signature, which the first chunk signature chains from. */
      seedSignature: string;
      /** The derived SigV4 signing key of the request's scope. */
      signingKey: Buffer;
      /** Credential scope, `yyyymmdd/region/service/aws4_request`. */
      scope: string;
      /** The request timestamp, `yyyymmddThhmmssZ`. */
      amzDate: string;
      /** True for `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`. */
      trailer: boolean;
    } & ChunkedPayloadFields)
  | ({ kind: 'streaming-unsigned-trailer' } & ChunkedPayloadFields);

/** A request whose signature checked out. */
export interface AuthSigned {
  ok: true;
  anonymous: false;
  accessKeyId: string;
  signatureVersion: 'v2' | 'v4';
  /** True when the signature came from the query string (presigned URL). */
  presigned: boolean;
  payload: PayloadMode;
}

/** A request that carried no credentials at all; the S3 layer decides whether to allow it. */
export interface AuthAnonymous {
  ok: true;
  anonymous: true;
  accessKeyId: undefined;
  payload: PayloadMode;
}

/** A refused request. */
export interface AuthRefused {
  ok: false;
  failure: AuthFailure;
}

/** The answer of `authenticate`. */
export type AuthResult = AuthSigned | AuthAnonymous | AuthRefused;
