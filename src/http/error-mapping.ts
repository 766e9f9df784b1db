/**
 * The boundary where every other module's errors become S3 errors. Auth failures keep their
 * S3 code; an unreachable ring or stanchion is 503 (retryable), never 403 or 500; anything
 * unknown is an InternalError, logged as the bug it is.
 */
import { RingDiskFullError, RingUnavailableError } from '../../ring/client.js';
import { NodeUnreachableError } from '../../ring/transport/transport.js';
import { StanchionUnavailableError } from '../../stanchion/server.js';
import { AuthError } from '../auth/types.js';
import { MultipartError } from '../objects/multipart.js';
import { isS3ErrorCode, S3Error } from './errors.js';
import { stanchionUnavailable } from './stanchion-unavailable.js';

/** The S3 error to answer for `error`. */
export function toS3Error(error: unknown): S3Error {
  if (error instanceof S3Error) return error;
  if (error instanceof AuthError) {
    return isS3ErrorCode(error.code)
      ? new S3Error(error.code, error.failure.detail, { cause: error })
      : new S3Error('InvalidRequest', error.failure.detail, { cause: error });
  }
  // A full disk is not worth an SDK's quick retries (503 would invite them): 507 says why.
  if (error instanceof RingDiskFullError) {
    return new S3Error('InsufficientStorage', undefined, { cause: error });
  }
  if (error instanceof StanchionUnavailableError) return stanchionUnavailable(error);
  if (error instanceof RingUnavailableError || error instanceof NodeUnreachableError) {
    return new S3Error('ServiceUnavailable', undefined, { cause: error });
  }
  if (error instanceof MultipartError) {
    return new S3Error(error.code, error.message, { cause: error });
  }
  if (error instanceof RangeError && /sizeMax/.test(error.message)) {
    return new S3Error('EntityTooLarge', undefined, { cause: error });
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
    return new S3Error('IncompleteBody', undefined, { cause: error });
  }
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return new S3Error('InvalidRequest', (error as Error).message, { cause: error });
  }
  return new S3Error('InternalError', undefined, { cause: error });
}
