/**
 * /console/api/buckets, /console/api/s3 and /console/api/presign: the Buckets pages. Every
 * S3 call is signed as a user and passes the S3 API's own checks: a user's calls as itself
 * (another user's bucket is refused there, AccessDenied), the admin's as the bucket's owner —
 * the admin can read every user's secret through the admin API anyway, and "the admin sees
 * everything". Object bodies never pass through here: downloads and uploads use presigned
 * URLs the page calls directly, so memory stays flat whatever the size.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { readBucket, readUserById } from '../../stanchion/reader.js';
import { secretsOf } from '../../stanchion/secret-box.js';
import type { Credentials } from '../auth/types.js';
import type { Session } from './core/sessions.js';
import {
  callFor,
  ConsoleError,
  guarded,
  jsonBody,
  s3Failure,
  textField,
  type ConsoleContext,
} from './context.js';
import { callAs, presignedPath, type CallRequest } from './signed-call.js';

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,62}$/;
const METHODS = new Set(['GET', 'HEAD', 'PUT', 'POST', 'DELETE']);
const CANNED_ACLS = new Set(['private', 'public-read', 'public-read-write', 'authenticated-read']);
/** Presigned links live at most S3's 7 days. */
const EXPIRY_SEC_MAX = 604800;

/** Adds the bucket routes. */
export function registerBucketsRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/console/api/buckets', guarded(ctx, listBuckets));
  app.post('/console/api/s3', guarded(ctx, s3Call));
  app.post('/console/api/presign', guarded(ctx, presign));
}

interface BucketRow {
  name: string;
  owner: string;
  objects: number;
  bytes: number;
}

async function listBuckets(ctx: ConsoleContext, session: Session): Promise<BucketRow[]> {
  const own = await callFor(ctx, session, { method: 'GET', path: '/' });
  if (own.status !== 200) throw s3Failure(own);
  const rows = new Map<string, BucketRow>();
  for (const match of own.body.matchAll(/<Name>([^<]{1,255})<\/Name>/g)) {
    rows.set(match[1]!, { name: match[1]!, owner: session.user.keyId, objects: 0, bytes: 0 });
  }
  const path = session.user.isAdmin ? '/riak-cs/storage' : `/riak-cs/storage/${session.user.keyId}`;
  const storage = await callFor(ctx, session, {
    method: 'GET',
    path,
    headers: { accept: 'application/json' },
  });
  if (storage.status === 200) {
    const users = (JSON.parse(storage.body) as { Users: StorageJson[] }).Users;
    for (const user of users) {
      for (const b of user.Buckets) {
        rows.set(b.Name, { name: b.Name, owner: user.KeyId, objects: b.Objects, bytes: b.Bytes });
      }
    }
  }
  return [...rows.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

interface StorageJson {
  KeyId: string;
  Buckets: Array<{ Name: string; Objects: number; Bytes: number }>;
}

/** The S3 request a body describes: method, bucket, key, query and a small body. */
function s3RequestOf(body: Record<string, unknown>): CallRequest & { bucket: string } {
  const method = String(body.method);
  if (!METHODS.has(method)) throw new ConsoleError(400, 'Not an S3 method.', 'BadRequest');
  const bucket = textField(body, 'bucket', BUCKET, 'The bucket name');
  const key = typeof body.key === 'string' ? body.key : '';
  if (key.length > 1024) throw new ConsoleError(400, 'The key is too long.', 'BadRequest');
  const query: Record<string, string> = {};
  const given = typeof body.query === 'object' && body.query !== null ? body.query : {};
  for (const [k, v] of Object.entries(given as Record<string, unknown>).slice(0, 20)) {
    if (typeof v === 'string') query[k] = v;
  }
  const text = typeof body.body === 'string' ? body.body : undefined;
  const headers: Record<string, string> = {};
  if (typeof body.cannedAcl === 'string') {
    if (!CANNED_ACLS.has(body.cannedAcl)) throw new ConsoleError(400, 'Not a canned ACL.');
    headers['x-amz-acl'] = body.cannedAcl;
  }
  if (text !== undefined) {
    headers['content-md5'] = createHash('md5').update(text).digest('base64');
    headers['content-type'] = String(body.contentType ?? 'application/xml');
  }
  return {
    method: method as CallRequest['method'],
    bucket,
    path: key === '' ? `/${bucket}` : `/${bucket}/${key}`,
    query,
    headers,
    ...(text === undefined ? {} : { body: text }),
  };
}

/** Signs and sends one S3 call for the page; the answer's XML goes back as text. */
async function s3Call(ctx: ConsoleContext, session: Session, request: FastifyRequest) {
  const s3 = s3RequestOf(await jsonBody(request));
  const credentials = await actingCredentials(ctx, session, s3.bucket);
  const answer = await callAs(ctx.app, credentials, ctx.deps.config.region, ctx.deps.clock(), s3);
  if (answer.status >= 300) throw s3Failure(answer);
  const etag = answer.headers.etag;
  return { status: answer.status, body: answer.body, ...(etag ? { etag: String(etag) } : {}) };
}

/** A presigned URL (path and query, for this host) for the page to call directly. */
async function presign(ctx: ConsoleContext, session: Session, request: FastifyRequest) {
  const body = await jsonBody(request);
  const s3 = s3RequestOf({ ...body, body: undefined });
  const expiresSec = Number(body.expiresSec ?? 900);
  if (!Number.isInteger(expiresSec) || expiresSec < 1 || expiresSec > EXPIRY_SEC_MAX) {
    throw new ConsoleError(400, 'The expiry must be 1 second to 7 days.', 'BadRequest');
  }
  const host = request.headers.host;
  if (typeof host !== 'string' || host.length > 255) {
    throw new ConsoleError(400, 'The request has no Host.', 'BadRequest');
  }
  const credentials = await actingCredentials(ctx, session, s3.bucket);
  const path = presignedPath(
    credentials,
    ctx.deps.config.region,
    ctx.deps.clock(),
    { method: s3.method, host, path: s3.path, ...(s3.query ? { query: s3.query } : {}) },
    expiresSec,
  );
  return { url: path, expiresAtMs: ctx.deps.clock() + expiresSec * 1000 };
}

/** The keys a call on `bucket` is signed with: the user's, or for the admin, the owner's. */
async function actingCredentials(
  ctx: ConsoleContext,
  session: Session,
  bucket: string,
): Promise<Credentials> {
  const own = { accessKeyId: session.user.keyId, secretAccessKey: session.secret };
  if (!session.user.isAdmin) return own;
  const record = await readBucket(ctx.deps.ring, bucket);
  const owner = record ? await readUserById(ctx.deps.ring, record.ownerId) : undefined;
  if (!owner || owner.keyId === session.user.keyId) return own;
  const secret = secretsOf(ctx.deps).open(owner.keyId, owner.secret);
  return { accessKeyId: owner.keyId, secretAccessKey: secret };
}
