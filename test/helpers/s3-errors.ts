/**
 * What an SDK call ended with, for tests that assert S3 error codes: one place, so every
 * test reads errors the same way.
 */
import { S3ServiceException } from '@aws-sdk/client-s3';

/** The S3 error (code and HTTP status) a call failed with; throws if it succeeded. */
export async function s3ErrorOf(
  promise: Promise<unknown>,
): Promise<{ name: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) {
      return { name: error.name, status: error.$metadata.httpStatusCode };
    }
    throw error;
  }
  throw new Error('expected an S3 error');
}

/** The S3 error code a call ended with, or 'ok'. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof S3ServiceException) return error.name;
    throw error;
  }
}
