/**
 * HTTP transfers a test holds in flight at will: a GET whose body is not read until
 * released, and a PUT that sends its first MiBs, then waits to be released before sending
 * the rest. Bodies are made and hashed in 1 MiB chunks (no whole copy in memory).
 */
import { createHash, randomBytes } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';

export const MIB = 1024 * 1024;
const BASE = randomBytes(MIB);

/** Chunk `i` of a test body: a random MiB with its index written in front. */
export function bodyChunk(i: number): Buffer {
  const chunk = Buffer.from(BASE);
  chunk.writeUInt32BE(i, 0);
  return chunk;
}

/** The sha256 (hex) of a body of `mib` chunks. */
export function bodySha256(mib: number): string {
  const hash = createHash('sha256');
  for (let i = 0; i < mib; i++) hash.update(bodyChunk(i));
  return hash.digest('hex');
}

/** What a held transfer ended with. */
export interface TransferResult {
  status: number;
  headers: IncomingHttpHeaders;
  bytes: number;
  sha256: string;
}

/** A transfer held in flight: `started` once under way, `release()` to let it go on. */
export interface HeldTransfer {
  started: Promise<void>;
  release(): void;
  done: Promise<TransferResult>;
}

/** A GET of `url` whose body is not read until released. */
export function heldGet(url: string): HeldTransfer {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const done = new Promise<TransferResult>((resolve, reject) => {
    const req = request(url, (res) => {
      res.pause();
      markStarted();
      const hash = createHash('sha256');
      let bytes = 0;
      void released.then(() => {
        res.on('data', (chunk: Buffer) => ((bytes += chunk.length), hash.update(chunk)));
        res.on('end', () => {
          const result = { status: res.statusCode!, headers: res.headers, bytes };
          resolve({ ...result, sha256: hash.digest('hex') });
        });
        res.on('error', reject);
        res.on('aborted', () => reject(new Error(`aborted after ${bytes} bytes`)));
        res.resume();
      });
    });
    req.on('error', reject);
    req.end();
  });
  return { started, release, done };
}

/** A PUT of `mib` MiB to `url`: sends `firstMib`, then the rest once released. */
export function heldPut(url: string, mib: number, firstMib: number): HeldTransfer {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const done = new Promise<TransferResult>((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: { 'content-length': mib * MIB } });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => {
        const sha256 = createHash('sha256').update(text).digest('hex');
        resolve({ status: res.statusCode!, headers: res.headers, bytes: text.length, sha256 });
      });
    });
    req.on('error', reject);
    void (async () => {
      for (let i = 0; i < mib; i++) {
        if (i === firstMib) {
          markStarted();
          await released;
        }
        if (!req.write(bodyChunk(i))) {
          await new Promise<void>((resolve) => req.once('drain', resolve));
        }
      }
      req.end();
    })();
  });
  return { started, release, done };
}
