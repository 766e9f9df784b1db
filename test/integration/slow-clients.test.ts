/**
 * Slow clients against a real cairn process with a 2 s headers timeout: a client that
 * stalls (or trickles) before its headers are complete is cut off in bounded time, so a
 * few sockets cannot hold the server; an upload whose body trickles for longer than that
 * is never cut off; an idle keep-alive socket outlives the 60 s clients and load
 * balancers assume. Time bounds here are liveness bounds, not speed assertions.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { openSocket, settlesWithin, signedHead, sleep } from '../helpers/raw-http.js';

const HEADERS_TIMEOUT_MS = 2000;
/** Generous: the timeout plus Node's checking interval plus a loaded 2-core machine. */
const CUT_OFF_BOUND_MS = 15_000;
const BUCKET = 'slow';

let server: CairnProcess;
let s3: S3Client;

useCairn(
  { buckets: [BUCKET], args: ['--headers-timeout', String(HEADERS_TIMEOUT_MS)] },
  (started) => ({ server, s3 } = started),
);

describe('slow clients (headers timeout 2 s)', () => {
  it('cuts off a client that sends half a request line and stalls', async () => {
    const client = await openSocket(server.port);
    client.socket.write(`GET /${BUCKET}/some-ke`);
    expect(await settlesWithin(client.closed, CUT_OFF_BOUND_MS)).toBe(true);
    expect(client.received()).toMatch(/^(|HTTP\/1\.1 408[^]*)$/);
  });

  it('cuts off a client that sends its headers one line at a time, forever', async () => {
    const client = await openSocket(server.port);
    client.socket.write(`GET /${BUCKET} HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
    // Every write resets an idle timer; only a headers deadline stops this client.
    const drip = setInterval(() => {
      if (!client.isClosed()) client.socket.write(`X-Drip-${Date.now()}: 1\r\n`);
    }, 250);
    try {
      expect(await settlesWithin(client.closed, CUT_OFF_BOUND_MS)).toBe(true);
    } finally {
      clearInterval(drip);
    }
  });

  it('never cuts off an upload whose body trickles for longer than the timeout', async () => {
    const chunkCount = 20;
    const chunks = Array.from({ length: chunkCount }, () => randomBytes(1000));
    const body = Buffer.concat(chunks);
    const client = await openSocket(server.port);
    client.socket.write(
      signedHead(server, 'PUT', `/${BUCKET}/trickled`, { 'content-length': String(body.length) }),
    );
    // 20 chunks, 250 ms apart: 5 s of body, more than twice the headers timeout.
    for (const chunk of chunks) {
      await sleep(250);
      expect(client.isClosed()).toBe(false);
      client.socket.write(chunk);
    }
    await client.waitFor(/^HTTP\/1\.1 \d{3}[^]*\r\n\r\n/, 30_000);
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 /);
    client.socket.destroy();
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'trickled' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  });

  it('keeps an idle keep-alive socket open for 62 s, then serves it', async () => {
    const client = await openSocket(server.port);
    client.socket.write(signedHead(server, 'HEAD', `/${BUCKET}`));
    await client.waitFor(/^HTTP\/1\.1 200 [^]*\r\n\r\n$/, 10_000);
    expect(client.received()).not.toMatch(/connection: close/i);
    const idleMs = 62_000;
    expect(await settlesWithin(client.closed, idleMs)).toBe(false);
    const before = client.received().length;
    client.socket.write(signedHead(server, 'HEAD', `/${BUCKET}`));
    const second = (await client.waitFor(/\r\n\r\n[^]*\r\n\r\n$/, 10_000)).slice(before);
    expect(second).toMatch(/^HTTP\/1\.1 200 /);
    client.socket.destroy();
  }, 90_000);

  it('still serves ordinary requests afterwards', async () => {
    const client = await openSocket(server.port);
    client.socket.write(signedHead(server, 'HEAD', `/${BUCKET}/trickled`));
    await client.waitFor(/^HTTP\/1\.1 200 [^]*\r\n\r\n$/, 10_000);
    client.socket.destroy();
  });
});
