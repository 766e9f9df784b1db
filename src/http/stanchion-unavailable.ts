/**
 * The 503 a client gets when no stanchion took a user or bucket change within the front
 * end's wait. It says which part is failing and that objects still work, instead of S3's
 * generic "reduce your request rate" words, which send operators looking for a throttle
 * that does not exist. It names no internal address (those go to the log via the cause).
 */
import { StanchionUnavailableError } from '../../stanchion/server.js';
import { S3Error } from './errors.js';

/** Seconds a client should wait before it retries (the Retry-After header). */
export const STANCHION_RETRY_AFTER_S = 5;

const FAILING_OVER =
  'The serializer of user and bucket changes (stanchion) is failing over: no standby has ' +
  'taken over yet. Objects can still be read and written. Retry in a few seconds.';

const UNREACHABLE =
  'The serializer of user and bucket changes (stanchion) is unreachable or busy. Objects ' +
  'can still be read and written. Retry in a few seconds; if this persists, check the ' +
  'stanchion processes (cairn-admin stanchion status).';

/** ServiceUnavailable with a message that names stanchion and a Retry-After header. */
export function stanchionUnavailable(error: StanchionUnavailableError): S3Error {
  return new S3Error('ServiceUnavailable', error.failingOver ? FAILING_OVER : UNREACHABLE, {
    cause: error,
    headers: { 'retry-after': String(STANCHION_RETRY_AFTER_S) },
  });
}
