/**
 * POST /riak-cs/kms/rotate, behind `cairn-admin kms rotate`: re-wraps every SSE-S3 data
 * key under the current master key of this front end's kms key file (the file's first
 * key), in objects, versions and uploads in progress, without touching the data. Admin
 * only; NotImplemented without a key file.
 */
import type { RequestContext } from '../http/context.js';
import { S3Error } from '../http/errors.js';
import { rotateAll } from '../objects/encryption/kms-rotate.js';

/** POST /riak-cs/kms/rotate */
export async function kmsRotateRoute(ctx: RequestContext): Promise<void> {
  if (!ctx.user?.isAdmin) throw new S3Error('AccessDenied');
  const keys = ctx.deps.config.sse?.masterKeys;
  if (!keys) throw new S3Error('NotImplemented', 'This endpoint has no --kms-key-file.');
  const { ring, objects, multipart, randomBytes } = ctx.deps;
  const report = await rotateAll(ring, { objects, multipart }, keys, randomBytes);
  void ctx.reply.code(200).header('content-type', 'application/json').send(JSON.stringify(report));
}
