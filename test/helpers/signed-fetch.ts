/**
 * Raw HTTP requests signed with the repo's own SigV4 client signer, for tests that need
 * what an SDK will not send: odd headers, skewed clocks, hostile bodies.
 */
import { createHash } from 'node:crypto';
import { signV4 } from '../../src/auth/sigv4-client.js';

/** Options of a signed request. */
export interface SignedFetchOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Signing time; defaults to now. */
  nowMs?: number;
  credentials: { keyId: string; secret: string };
}

/** Sends `path` (already percent-encoded, with its query) to `baseUrl`, signed. */
export async function signedFetch(baseUrl: string, path: string, options: SignedFetchOptions) {
  const url = new URL(path, baseUrl);
  const body = options.body ?? '';
  const headers: Record<string, string> = { host: url.host, ...options.headers };
  const signed = signV4(
    {
      method: options.method ?? 'GET',
      url: path,
      headers,
      payloadSha256Hex: createHash('sha256').update(body).digest('hex'),
    },
    { accessKeyId: options.credentials.keyId, secretAccessKey: options.credentials.secret },
    'us-east-1',
    options.nowMs ?? Date.now(),
  );
  const method = options.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return fetch(url, {
    method,
    headers: { ...headers, ...signed },
    ...(hasBody ? { body: typeof body === 'string' ? body : new Uint8Array(body) } : {}),
  });
}
