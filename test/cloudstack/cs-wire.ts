/**
 * CsWire: the requests AWS SDK for Java v1 sends for CloudStack, byte for byte where the
 * server can tell: the SDK's header set (User-Agent, amz-sdk-*, the form-urlencoded
 * Content-Type it signs on bodyless operations), `Expect: 100-continue` on PUTs with the
 * 3 s fallback of Apache HttpClient, path-style or virtual-host addressing, and the two
 * signers CloudStack offers. Bodies are streams; nothing here buffers an object.
 */
import { createHash, randomUUID } from 'node:crypto';
import { request, type Agent, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import {
  amzDate,
  authorizationV2,
  authorizationV4,
  ChunkSigner,
  chunkedLength,
  EMPTY_SHA256_HEX,
  encodeS3,
  renderQuery,
  signV4,
  STREAMING_PAYLOAD,
  type KeyPair,
  type QueryPair,
} from './sdk-v1-signers.js';

/** How a CloudStack image store is configured: one access key, one signer. */
export interface CsMode {
  name: string;
  signer: 'v2' | 'v4';
  vhost: boolean;
  keys: KeyPair;
  bucket: string;
  /** Account id in the keys, so modes never collide. */
  acct: number;
}

/** Where the server is. */
export interface CsTarget {
  port: number;
  vhostBase: string;
  region: string;
  agent: Agent;
}

/** One request. `key` undefined means the bucket itself (`/bucket/`). */
export interface WireCall {
  method: string;
  key?: string;
  /** The service itself (`GET /`, ListBuckets) rather than a bucket. */
  service?: boolean;
  query?: QueryPair[];
  headers?: Record<string, string>;
  /** A Buffer, or a stream of exactly `length` bytes. */
  body?: Buffer | { stream: Readable; length: number };
  /** null: no Content-Type at all; undefined: the SDK's form-urlencoded default. */
  contentType?: string | null;
  /** Send Content-Length: 0 on a bodyless request (POST ?uploads). */
  emptyBody?: boolean;
  /** SigV4 streaming: send this chunk (0-based) with a wrong signature. */
  corruptChunk?: number;
  /** Signing time (epoch ms); now unless testing clock skew. */
  nowMs?: number;
  /** SigV4 streaming: declare this x-amz-decoded-content-length instead of the true one. */
  decodedLength?: number;
  /** Change the headers after signing (bad signatures, wrong lengths). */
  afterSigning?: (headers: Record<string, string>) => void;
}

/** A response, with whether and when the 100 Continue came. */
export interface WireResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  continued: boolean;
  continueMs?: number;
}

/** An answer whose body the caller reads. */
export interface Opened {
  message: IncomingMessage;
  continued: boolean;
  continueMs?: number;
}

/** SDK v1 on JDK 11, as the SSVM sends it. */
export const USER_AGENT = [
  'aws-sdk-java/1.12.439',
  'Linux/6.1.0-18-amd64',
  'OpenJDK_64-Bit_Server_VM/11.0.22+7-post-Debian-1deb12u1',
  'java/11.0.22',
  'vendor/Debian',
  'cfg/retry-mode/legacy',
].join(' ');
const FORM_TYPE = 'application/x-www-form-urlencoded; charset=utf-8';
/** Apache HttpClient's wait for 100 Continue before sending the body anyway. */
export const EXPECT_WAIT_MS = 3000;

/** The SDK-v1 wire emulator for one mode. */
export class CsWire {
  constructor(
    readonly target: CsTarget,
    readonly mode: CsMode,
  ) {}

  /** Host header and path of `key` in this mode's addressing. */
  address(key: string | undefined): { host: string; path: string; resource: string } {
    const { bucket } = this.mode;
    const encodedKey = key === undefined ? '' : encodeS3(key, true);
    const resource = `/${bucket}/${encodedKey}`;
    if (this.mode.vhost) {
      const host = `${bucket}.${this.target.vhostBase}:${this.target.port}`;
      return { host, path: `/${encodedKey}`, resource };
    }
    return { host: `127.0.0.1:${this.target.port}`, path: resource, resource };
  }

  /** Sends `call`; the response body is read whole (use for small answers). */
  async call(call: WireCall): Promise<WireResponse> {
    const { message, continued, continueMs } = await this.open(call);
    const chunks: Buffer[] = [];
    for await (const chunk of message) chunks.push(chunk as Buffer);
    return {
      status: message.statusCode ?? 0,
      headers: message.headers,
      body: Buffer.concat(chunks),
      continued,
      ...(continueMs !== undefined ? { continueMs } : {}),
    };
  }

  /** The request line's path and the signed headers of `call` (before Expect is added). */
  prepare(call: WireCall) {
    const { host, path, resource } = call.service
      ? { host: `127.0.0.1:${this.target.port}`, path: '/', resource: '/' }
      : this.address(call.key);
    const query = call.query ?? [];
    const headers = this.sdkHeaders(call, host);
    const streamed = this.mode.signer === 'v4' && call.body !== undefined;
    const seed = this.sign(call, headers, { path, resource, query, streamed });
    call.afterSigning?.(headers);
    const rawQuery = renderQuery(query);
    return { path: rawQuery === '' ? path : `${path}?${rawQuery}`, headers, seed };
  }

  /** Sends `call` and resolves on the response head; the caller consumes `message`. */
  open(call: WireCall): Promise<Opened> {
    const { path, headers, seed } = this.prepare(call);
    // Only PUTs carry Expect in SDK v1 (Apache HttpClient's expect-continue for entities).
    const expectContinue = call.method === 'PUT';
    if (expectContinue) headers['Expect'] = '100-continue';
    const req = request({
      host: '127.0.0.1',
      port: this.target.port,
      method: call.method,
      path,
      headers,
      agent: this.target.agent,
    });
    const startedMs = performance.now();
    let continueMs: number | undefined;
    let sent = false;
    const sendBody = () => {
      if (sent) return;
      sent = true;
      const body = call.body;
      if (body === undefined) return void req.end();
      if (Buffer.isBuffer(body) && !seed) return void req.end(body);
      const source = Buffer.isBuffer(body) ? Readable.from([body]) : body.stream;
      const framed = seed
        ? source.pipe(new ChunkSigner(seed, undefined, call.corruptChunk))
        : source;
      framed.pipe(req);
    };
    return new Promise((resolve, reject) => {
      req.on('error', reject);
      req.on('continue', () => {
        continueMs = performance.now() - startedMs;
        sendBody();
      });
      req.on('response', (message) => {
        // A final answer before the 100: the body is never sent (the server refused early).
        if (!sent) {
          sent = true;
          message.on('end', () => req.destroy());
        }
        const continued = continueMs !== undefined;
        resolve({ message, continued, ...(continued ? { continueMs } : {}) });
      });
      if (!expectContinue) sendBody();
      else setTimeout(sendBody, EXPECT_WAIT_MS).unref();
    });
  }

  private sdkHeaders(call: WireCall, host: string): Record<string, string> {
    const headers: Record<string, string> = {
      Host: host,
      'User-Agent': USER_AGENT,
      'amz-sdk-invocation-id': randomUUID(),
      'amz-sdk-retry': '0/0/500',
    };
    if (call.contentType !== null) headers['Content-Type'] = call.contentType ?? FORM_TYPE;
    Object.assign(headers, call.headers);
    const length = bodyLength(call.body);
    if (length !== undefined) headers['Content-Length'] = String(length);
    else if (call.emptyBody) headers['Content-Length'] = '0';
    return headers;
  }

  private sign(
    call: WireCall,
    headers: Record<string, string>,
    at: { path: string; resource: string; query: QueryPair[]; streamed: boolean },
  ) {
    const nowMs = call.nowMs ?? Date.now();
    if (this.mode.signer === 'v2') {
      headers['Date'] = new Date(nowMs).toUTCString();
      const auth = authorizationV2(this.mode.keys, call.method, headers, at.resource, at.query);
      headers['Authorization'] = auth;
      return undefined;
    }
    const date = amzDate(nowMs);
    let payloadHash = EMPTY_SHA256_HEX;
    if (at.streamed) {
      payloadHash = STREAMING_PAYLOAD;
      const length = bodyLength(call.body)!;
      headers['x-amz-decoded-content-length'] = String(call.decodedLength ?? length);
      headers['Content-Length'] = String(chunkedLength(length));
    } else if (Buffer.isBuffer(call.body)) {
      payloadHash = createHash('sha256').update(call.body).digest('hex');
    }
    headers['x-amz-date'] = date;
    headers['x-amz-content-sha256'] = payloadHash;
    const signed = signV4(this.mode.keys, {
      method: call.method,
      encodedPath: at.path,
      query: at.query,
      headers,
      payloadHash,
      amzDate: date,
      region: this.target.region,
    });
    headers['Authorization'] = authorizationV4(this.mode.keys, signed);
    return at.streamed ? { ...signed, amzDate: date } : undefined;
  }
}

function bodyLength(body: WireCall['body']): number | undefined {
  if (body === undefined) return undefined;
  return Buffer.isBuffer(body) ? body.length : body.length;
}
