/**
 * The import's S3 client: signed requests (the repo's own SigV2 and SigV4 signers) over
 * node:http, so a key is sent exactly as encoded (fetch would resolve "..") and a body is
 * streamed with its Content-Length: a body cut short is never taken for a whole object.
 * Answers with a bounded body are read here; object bodies are handed back as streams.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { signV2 } from '../auth/sigv2.js';
import { signV4 } from '../auth/sigv4-client.js';
import { parseErrorBody } from './core/xml.js';

/** A store the import talks to. */
export interface Endpoint {
  url: URL;
  region: string;
  signature: 'v2' | 'v4';
  agent: http.Agent;
  /** How long a socket may stay silent before the request fails. */
  idleTimeoutMs: number;
}

/** An access key pair. */
export interface Keys {
  keyId: string;
  secret: string;
}

/** One request: `path` and `query` already percent-encoded. */
export interface S3Request {
  method: string;
  path: string;
  query?: string;
  headers?: Record<string, string>;
  /** A buffer (retried on transient failures) or a stream (sent once). */
  body?: Buffer | Readable;
  /** Aborts the request (an interrupted import). */
  signal?: AbortSignal;
}

/** A refusal or failure of a request, with the S3 error code when the store sent one. */
export class S3CallError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly code: string | undefined,
  ) {
    super(message);
  }

  /** Worth retrying: the network, or a store that said it was busy or broken. */
  get transient(): boolean {
    return this.status === undefined || this.status >= 500;
  }
}

/** An endpoint for `url` (http or https, no path). */
export function endpointOf(
  url: string,
  options: { region: string; signature: 'v2' | 'v4'; concurrency: number },
): Endpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`not a URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`not an http or https URL: ${url}`);
  }
  if (parsed.pathname !== '/' || parsed.search !== '' || parsed.username !== '') {
    throw new Error(`give the store's URL without a path, query or user: ${url}`);
  }
  const Agent = parsed.protocol === 'https:' ? https.Agent : http.Agent;
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency * 2 + 4 });
  return {
    url: parsed,
    region: options.region,
    signature: options.signature,
    agent,
    idleTimeoutMs: 120_000,
  };
}

function signed(endpoint: Endpoint, keys: Keys, request: S3Request): Record<string, string> {
  const rawUrl = request.query ? `${request.path}?${request.query}` : request.path;
  const headers: Record<string, string> = { host: endpoint.url.host, ...request.headers };
  if (endpoint.signature === 'v2') {
    return {
      ...headers,
      ...signV2({ method: request.method, rawUrl, headers }, toCredentials(keys), Date.now()),
    };
  }
  const body = request.body;
  const payload = Buffer.isBuffer(body)
    ? createHash('sha256').update(body).digest('hex')
    : body === undefined
      ? createHash('sha256').update('').digest('hex')
      : 'UNSIGNED-PAYLOAD';
  const auth = signV4(
    { method: request.method, url: rawUrl, headers, payloadSha256Hex: payload },
    toCredentials(keys),
    endpoint.region,
    Date.now(),
  );
  return { ...headers, ...auth };
}

function toCredentials(keys: Keys) {
  return { accessKeyId: keys.keyId, secretAccessKey: keys.secret };
}

/** Sends a request; resolves with the answer once its headers are in (body unread). */
export function open(
  endpoint: Endpoint,
  keys: Keys,
  request: S3Request,
): Promise<http.IncomingMessage> {
  const headers = signed(endpoint, keys, request);
  if (Buffer.isBuffer(request.body)) headers['content-length'] = String(request.body.length);
  const transport = endpoint.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request({
      host: endpoint.url.hostname,
      port: endpoint.url.port || undefined,
      method: request.method,
      path: request.query ? `${request.path}?${request.query}` : request.path,
      headers,
      agent: endpoint.agent,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    const fail = (error: Error) => reject(networkError(endpoint, error));
    req.setTimeout(endpoint.idleTimeoutMs, () => req.destroy(new Error('timed out')));
    req.on('error', fail);
    req.on('response', resolve);
    const body = request.body;
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else {
      // A source that fails mid-body must abort the upload, never end it short.
      body.on('error', (error) => req.destroy(error));
      body.pipe(req);
    }
  });
}

function networkError(endpoint: Endpoint, error: Error): S3CallError {
  const code = (error as NodeJS.ErrnoException).code;
  const what = code
    ? `${code}${error.message.includes(code) ? '' : `: ${error.message}`}`
    : error.message;
  return new S3CallError(`cannot reach ${endpoint.url.origin} (${what})`, undefined, undefined);
}

/** Reads an answer's body as text, up to `maxBytes` (more is an error, not a truncation). */
export async function readText(response: http.IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > maxBytes) {
      response.destroy();
      throw new S3CallError(
        `an answer was larger than ${maxBytes} bytes`,
        response.statusCode,
        undefined,
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The error an answer that is not 2xx stands for (its body read, bounded). */
export async function answerError(
  response: http.IncomingMessage,
  what: string,
): Promise<S3CallError> {
  let text = '';
  try {
    text = await readText(response, 64 * 1024);
  } catch {
    // The status alone still says what happened.
  }
  const { code, message } = parseErrorBody(text);
  const status = response.statusCode ?? 0;
  const detail = code ? `${code}${message ? `: ${message}` : ''}` : `HTTP ${status}`;
  return new S3CallError(`${what}: ${detail}`, status, code);
}

/** An answer read whole. */
export interface TextAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

const RETRY_DELAYS_MS = [500, 1500, 4000];

/**
 * Sends a request without a stream body and reads the answer (at most `maxBytes`); a 2xx or
 * one of `accept` resolves, anything else throws S3CallError. Transient failures are
 * retried with backoff.
 */
export async function call(
  endpoint: Endpoint,
  keys: Keys,
  request: S3Request & { body?: Buffer },
  what: string,
  options: { maxBytes?: number; accept?: number[]; retries?: number } = {},
): Promise<TextAnswer> {
  const retries = options.retries ?? RETRY_DELAYS_MS.length;
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await open(endpoint, keys, request);
      const status = response.statusCode ?? 0;
      if ((status >= 200 && status < 300) || options.accept?.includes(status)) {
        const text = await readText(response, options.maxBytes ?? 16 * 1024 * 1024);
        return { status, headers: response.headers, text };
      }
      throw await answerError(response, what);
    } catch (error) {
      const failure =
        error instanceof S3CallError ? error : new S3CallError(String(error), undefined, undefined);
      if (!failure.transient || attempt >= retries) {
        throw failure.message.startsWith(what)
          ? failure
          : new S3CallError(`${what}: ${failure.message}`, failure.status, failure.code);
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
    }
  }
}
