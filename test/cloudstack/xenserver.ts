/**
 * Mode M5: the `s3xenserver` plugin XenServer hosts run to back snapshots up. It is a hand-
 * rolled SigV2 client (Python httplib), so it is emulated on a raw socket: `Expect:
 * 100-continue` on every request with the body sent at once, a `Date` ending `+0000`,
 * and `POST ?uploads` with neither Content-Length nor Transfer-Encoding. It never reads
 * status codes; the tests check the store afterwards instead.
 */
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import type { Readable } from 'node:stream';
import {
  encodeS3,
  signatureV2,
  stringToSignV2,
  type KeyPair,
  type QueryPair,
} from './sdk-v1-signers.js';

/** A raw HTTP answer. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Interim 100 Continue lines seen before the final status. */
  continues: number;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

/** `time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime())`. */
export function xenDate(nowMs: number): string {
  const d = new Date(nowMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ` +
    `${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:` +
    `${two(d.getUTCSeconds())} +0000`
  );
}

/** One s3xenserver request. */
export interface XenCall {
  method: string;
  bucket: string;
  key: string;
  query?: QueryPair[];
  /** Headers besides Date, Authorization and Expect, in the plugin's order. */
  headers?: Array<[string, string]>;
  body?: Buffer | { stream: Readable; length: number };
}

/** Sends one request on its own connection and reads the answer. */
export function xenRequest(port: number, keys: KeyPair, call: XenCall): Promise<RawResponse> {
  const query = call.query ?? [];
  const resource = `/${call.bucket}/${encodeS3(call.key, true)}`;
  const rawQuery = query.map(([n, v]) => (v === undefined ? n : `${n}=${encodeS3(v)}`)).join('&');
  const date = xenDate(Date.now());
  const headers = new Map<string, string>(call.headers ?? []);
  headers.set('Date', date);
  const toSign = stringToSignV2(call.method, Object.fromEntries(headers), resource, query);
  headers.set(
    'Authorization',
    `AWS ${keys.accessKeyId}:${signatureV2(keys.secretAccessKey, toSign)}`,
  );
  headers.set('Expect', '100-continue');
  headers.set('Host', `127.0.0.1:${port}`);
  const head =
    `${call.method} ${resource}${rawQuery ? `?${rawQuery}` : ''} HTTP/1.1\r\n` +
    [...headers].map(([name, value]) => `${name}: ${value}\r\n`).join('') +
    '\r\n';
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const reader = responseReader(call.method === 'HEAD', (response) => {
      socket.destroy();
      resolve(response);
    });
    socket.on('data', reader);
    socket.on('error', reject);
    socket.write(head);
    const body = call.body;
    if (body === undefined) return;
    // httplib sends the body right after the headers, without waiting for the 100.
    if (Buffer.isBuffer(body)) socket.write(body);
    else body.stream.pipe(socket, { end: false });
  });
}

function responseReader(headOnly: boolean, done: (response: RawResponse) => void) {
  let buffered = Buffer.alloc(0);
  let continues = 0;
  let finished = false;
  return (data: Buffer) => {
    if (finished) return;
    buffered = Buffer.concat([buffered, data]);
    for (;;) {
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = buffered.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(lines[0]!.split(' ')[1]);
      if (status === 100) {
        continues++;
        buffered = buffered.subarray(end + 4);
        continue;
      }
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = headOnly || status === 204 ? 0 : Number(headers['content-length'] ?? 0);
      if (buffered.length < end + 4 + length) return;
      finished = true;
      return done({
        status,
        headers,
        body: buffered.subarray(end + 4, end + 4 + length),
        continues,
      });
    }
  };
}

/** Content-MD5 of a buffer. */
export const md5Base64 = (data: Buffer) => createHash('md5').update(data).digest('base64');
