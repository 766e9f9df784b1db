/**
 * Requests the console makes for a signed-in user: signed with the user's own keys (SigV4,
 * as an S3 client would) and injected into this front end's own app, so the S3 API and the
 * admin API identify and authorize them exactly as they would the user's own client. There
 * is no second authorization here to get wrong: what the keys may not do, the console may
 * not do either. Presigned URLs are made with the same keys for the page to use directly.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { presignV4, signV4 } from '../auth/sigv4-client.js';
import { uriEncode } from '../auth/request-parts.js';
import type { Credentials } from '../auth/types.js';

/** The host the injected requests name (path-style addressing: never a virtual host). */
const INJECT_HOST = 'console.invalid';

/**
 * The injected request's class: light-my-request's fake IncomingMessage has no
 * `headersDistinct`, which S3's signature check reads; this adds it from `headers`.
 */
class InjectedRequest extends Readable {
  declare headers: Record<string, string | string[] | undefined>;

  get headersDistinct(): Record<string, string[]> {
    const distinct: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(this.headers)) {
      if (value !== undefined) distinct[name] = Array.isArray(value) ? value : [value];
    }
    return distinct;
  }
}

/** One request for the user. */
export interface CallRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  /** Path, not yet encoded: `/bucket/key` or `/riak-cs/users`. */
  path: string;
  /** Query parameters (names and values not yet encoded); an empty value gives `name=`. */
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** What came back. */
export interface CallAnswer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

/** `path?query` encoded as S3 signs it. */
export function encodedTarget(path: string, query: Record<string, string> = {}): string {
  const pairs = Object.entries(query)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`);
  const encodedPath = uriEncode(path, true);
  return pairs.length === 0 ? encodedPath : `${encodedPath}?${pairs.join('&')}`;
}

/** Makes the request as the user, through `app`. */
export async function callAs(
  app: FastifyInstance,
  credentials: Credentials,
  region: string,
  nowMs: number,
  request: CallRequest,
): Promise<CallAnswer> {
  const url = encodedTarget(request.path, request.query);
  const body = request.body === undefined ? Buffer.alloc(0) : Buffer.from(request.body);
  const headers: Record<string, string> = { ...request.headers, host: INJECT_HOST };
  if (body.length > 0) headers['content-length'] = String(body.length);
  const payloadSha256Hex = createHash('sha256').update(body).digest('hex');
  const signed = signV4(
    { method: request.method, url, headers, payloadSha256Hex },
    credentials,
    region,
    nowMs,
  );
  const answer = await app.inject({
    method: request.method,
    url,
    headers: { ...headers, ...signed },
    Request: InjectedRequest,
    ...(body.length > 0 ? { payload: body } : {}),
  });
  return { status: answer.statusCode, headers: answer.headers, body: answer.body };
}

/** A presigned URL path (`/bucket/key?…`) for the page to call the S3 API with directly. */
export function presignedPath(
  credentials: Credentials,
  region: string,
  nowMs: number,
  request: { method: string; host: string; path: string; query?: Record<string, string> },
  expiresSec: number,
): string {
  return presignV4(
    {
      method: request.method,
      url: encodedTarget(request.path, request.query),
      headers: { host: request.host },
    },
    credentials,
    region,
    nowMs,
    expiresSec,
  );
}
