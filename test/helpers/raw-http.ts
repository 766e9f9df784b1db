/**
 * HTTP/1.1 by hand over node:net, for tests that must control every byte and every pause:
 * stalled request lines, trickled bodies, idle keep-alive sockets, hostile headers. fetch
 * would hide all of these behind its own pooling and timeouts.
 */
import { connect, type Socket } from 'node:net';
import { signV4 } from '../../src/auth/sigv4-client.js';

/** Where to connect and whose keys sign. */
export interface RawTarget {
  port: number;
  keyId: string;
  secret: string;
}

/**
 * The request line and headers (ending in the blank line) of a SigV4-signed request,
 * with an unsigned payload so the body can be sent later at any pace.
 */
export function signedHead(
  target: RawTarget,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  nowMs = Date.now(),
): string {
  const host = `127.0.0.1:${target.port}`;
  const all = { host, ...headers };
  const signed = signV4(
    { method, url: path, headers: all, payloadSha256Hex: 'UNSIGNED-PAYLOAD' },
    { accessKeyId: target.keyId, secretAccessKey: target.secret },
    'us-east-1',
    nowMs,
  );
  const lines = Object.entries({ ...all, ...signed }).map(([k, v]) => `${k}: ${v}`);
  return [`${method} ${path} HTTP/1.1`, ...lines, '', ''].join('\r\n');
}

/** A socket that records what it received and when it closed. */
export interface WatchedSocket {
  socket: Socket;
  received: () => string;
  /** Resolves when the peer closed or the socket errored. */
  closed: Promise<void>;
  isClosed: () => boolean;
  /** Resolves once `received()` matches, or rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<string>;
}

/** Connects to 127.0.0.1:`port` and watches the socket. */
export async function openSocket(port: number): Promise<WatchedSocket> {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  let isClosed = false;
  const listeners = new Set<() => void>();
  socket.on('data', (d: Buffer) => {
    received += d.toString('latin1');
    for (const listener of listeners) listener();
  });
  const closed = new Promise<void>((resolve) => {
    const done = () => {
      isClosed = true;
      resolve();
      for (const listener of listeners) listener();
    };
    socket.on('close', done);
    socket.on('error', done);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    received: () => received,
    closed,
    isClosed: () => isClosed,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; got: ${received}`));
        }, timeoutMs);
        const check = () => {
          if (pattern.test(received)) {
            clearTimeout(timer);
            listeners.delete(check);
            resolve(received);
          } else if (isClosed) {
            clearTimeout(timer);
            listeners.delete(check);
            reject(new Error(`closed before ${pattern}; got: ${received}`));
          }
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** Resolves true if `promise` settles within `timeoutMs`, false otherwise. */
export async function settlesWithin(promise: Promise<unknown>, timeoutMs: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(resolve, timeoutMs, false)));
  const result = await Promise.race([promise.then(() => true as const), timeout]);
  clearTimeout(timer);
  return result;
}

/** Sleeps. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
