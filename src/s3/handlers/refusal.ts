/**
 * How a bucket handler turns stanchion's refusal of a command into the S3 error a client
 * expects. Its own file so that acl.ts and bucket.ts, which both need it, need not import
 * each other.
 */
import type { CommandResult } from '../../../stanchion/core/commands.js';
import { S3Error } from '../../http/errors.js';

/** Throws the S3 error for a refused stanchion command about bucket `name`. */
export function throwIfRefused(result: CommandResult, name: string): void {
  if (result.ok) return;
  if (result.code === 'UserAlreadyExists') throw new S3Error('InternalError', result.detail);
  throw new S3Error(result.code, undefined, { fields: { BucketName: name } });
}
