/**
 * The load generator's HTTP client: node:http over a keep-alive Agent, every request signed
 * with Signature V4 by the repo's own client signer. It is deliberately thin (the AWS SDK
 * caps near 500-800 requests/s on this machine): bodies are sent as UNSIGNED-PAYLOAD so the
 * generator never hashes them, and are streamed from views of one buffer. It must never
 * retry: a failed request is a figure, not something to hide.
 */
import { once } from 'node:events';
import http from 'node:http';
import { signV4 } from '../../src/auth/sigv4-client.js';
import { EMPTY_SHA256_HEX, UNSIGNED_PAYLOAD } from '../../src/auth/sigv4.js';
import type { BodySource } from './payload.js';

/** An S3 endpoint and the keys to sign for it. */
export interface S3Target {
  /** Origin, e.g. `http://127.0.0.1:8080`. */
  url: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** One request; `path` is already percent-encoded and may carry a query. */
export interface RequestSpec {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';
  path: string;
  body?: BodySource;
  /** Keep the response text even on success (LIST, multipart XML). */
  keepText?: boolean;
  /** Extra request headers (signed), e.g. server-side encryption's. */
  headers?: Record<string, string>;
}

/** The answer to a request; `text` is kept for errors and when asked. */
export interface Reply {
  status: number;
  /** Response body bytes received. */
  bytes: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** Largest response text kept, in bytes (a 1,000-key LIST page is ~300 KB). */
const TEXT_BYTES_MAX = 4 * 1024 * 1024;

/** Sends signed requests to one endpoint over at most `maxSockets` connections. */
export class SignedClient {
  private readonly agent: http.Agent;
  private readonly origin: URL;

  constructor(
    private readonly target: S3Target,
    private readonly options: { maxSockets: number; timeoutMs: number },
  ) {
    this.origin = new URL(target.url);
    this.agent = new http.Agent({
      keepAlive: true,
      maxSockets: options.maxSockets,
      maxFreeSockets: options.maxSockets,
    });
  }

  /** Sends one request and reads its whole response. Rejects only on network errors. */
  send(spec: RequestSpec): Promise<Reply> {
    const headers = this.signedHeaders(spec);
    return new Promise<Reply>((resolve, reject) => {
      const request = http.request({
        agent: this.agent,
        hostname: this.origin.hostname,
        port: this.origin.port,
        method: spec.method,
        path: spec.path,
        headers,
        timeout: this.options.timeoutMs,
      });
      request.setNoDelay(true);
      let bodyDone = spec.body === undefined;
      request.on('timeout', () => request.destroy(new Error('request timed out')));
      request.on('error', reject);
      request.on('response', (response) => {
        readReply(response, spec.keepText === true).then((reply) => {
          if (!bodyDone) request.destroy(); // answered before the body was sent: drop socket
          resolve(reply);
        }, reject);
      });
      writeBody(request, spec.body).then(
        () => (bodyDone = true),
        (error: unknown) => request.destroy(error as Error),
      );
    });
  }

  /** Closes every pooled connection. */
  close(): void {
    this.agent.destroy();
  }

  private signedHeaders(spec: RequestSpec): Record<string, string> {
    const base = { host: this.origin.host, ...spec.headers };
    const credentials = {
      accessKeyId: this.target.accessKeyId,
      secretAccessKey: this.target.secretAccessKey,
    };
    const payloadSha256Hex = spec.body ? UNSIGNED_PAYLOAD : EMPTY_SHA256_HEX;
    const request = { method: spec.method, url: spec.path, headers: base, payloadSha256Hex };
    const signed = signV4(request, credentials, this.target.region, Date.now());
    const headers: Record<string, string> = { ...base, ...signed };
    if (spec.body) headers['content-length'] = String(spec.body.bytes);
    return headers;
  }
}

/** Streams `body` with backpressure; stops early if the server has already answered. */
async function writeBody(request: http.ClientRequest, body: BodySource | undefined) {
  if (!body) {
    request.end();
    return;
  }
  let answered = false;
  const response = once(request, 'response').then(
    () => (answered = true),
    () => (answered = true),
  );
  for (const chunk of body.chunks()) {
    if (answered || request.destroyed) return;
    if (!request.write(chunk)) {
      const drained = once(request, 'drain');
      drained.catch(() => undefined);
      await Promise.race([drained, response]);
    }
  }
  request.end();
}

function readReply(response: http.IncomingMessage, keepText: boolean): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const status = response.statusCode ?? 0;
    const keep = keepText || status < 200 || status >= 300;
    const parts: Buffer[] = [];
    let bytes = 0;
    response.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (keep && bytes <= TEXT_BYTES_MAX) parts.push(chunk);
    });
    response.on('error', reject);
    response.on('close', () => {
      if (!response.complete) reject(new Error('response aborted'));
    });
    response.on('end', () => {
      const text = keep ? Buffer.concat(parts).toString('utf8') : '';
      resolve({ status, bytes, headers: response.headers, text });
    });
  });
}

/** A short description of a failed reply, e.g. `503 ServiceUnavailable`. */
export function describeReply(reply: Reply): string {
  const code = /<Code>([^<]*)<\/Code>/.exec(reply.text)?.[1];
  return code ? `${reply.status} ${code}` : `${reply.status} ${reply.text.slice(0, 80)}`;
}

/** True for a 2xx status. */
export function isSuccess(reply: Reply): boolean {
  return reply.status >= 200 && reply.status < 300;
}
