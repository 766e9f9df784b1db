/**
 * SIGTERM on a front end (issue 22 item 4): `cairn start` drains. A 50 MiB GET and a 50 MiB
 * PUT in flight when the signal arrives both finish and verify by sha256, the PUT's answer
 * says `Connection: close`, an idle keep-alive socket is closed at once, a new connection is
 * refused, and the process exits 0 within its grace. With a tiny grace, a client that stops
 * reading is cut and the process still exits on time.
 */
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import type { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { presignedV4 } from '../helpers/presign.js';
import { openSocket, settlesWithin, sleep } from '../helpers/raw-http.js';
import { s3Client } from '../helpers/s3-client.js';
import { bodyChunk, bodySha256, heldGet, heldPut, MIB } from '../helpers/slow-transfer.js';

const OBJECT_MIB = 50;

/** A fresh store with bucket `drain` holding a 50 MiB object `big`. */
async function storeWithBigObject(args: string[]): Promise<CairnProcess> {
  const server = await startCairn({ args });
  const s3 = s3Client(server);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'drain' }));
    const body = Buffer.concat(Array.from({ length: OBJECT_MIB }, (_, i) => bodyChunk(i)));
    await s3.send(new PutObjectCommand({ Bucket: 'drain', Key: 'big', Body: body }));
  } finally {
    s3.destroy();
  }
  return server;
}

/** A socket that was answered one request and is kept alive, idle. */
async function keptAliveSocket(port: number) {
  const idle = await openSocket(port);
  idle.socket.write('GET /drain/none HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  await idle.waitFor(/<\/Error>/, 5000);
  expect(idle.received()).toMatch(/^HTTP\/1\.1 403/);
  expect(idle.received()).not.toMatch(/connection: close/i);
  return idle;
}

/** Whether a new TCP connection to `port` is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

async function sha256Of(server: CairnProcess, key: string): Promise<string> {
  const s3 = s3Client(server);
  try {
    const answer = await s3.send(new GetObjectCommand({ Bucket: 'drain', Key: key }));
    const hash = createHash('sha256');
    for await (const chunk of answer.Body as Readable) hash.update(chunk as Buffer);
    return hash.digest('hex');
  } finally {
    s3.destroy();
  }
}

describe('graceful shutdown of a front end (SIGTERM)', () => {
  it('finishes a 50 MiB GET and PUT in flight, refuses new connections, exits', async () => {
    const server = await storeWithBigObject(['--shutdown-grace', '20s']);
    let restarted: CairnProcess | undefined;
    try {
      const get = heldGet(presignedV4(server, 'GET', '/drain/big'));
      const put = heldPut(presignedV4(server, 'PUT', '/drain/put'), OBJECT_MIB, 8);
      const idle = await keptAliveSocket(server.port);
      await Promise.all([get.started, put.started]);
      await sleep(300);
      const signalledMs = Date.now();
      const exited = server.stop();
      // The idle socket goes at once; the listener no longer accepts.
      expect(await settlesWithin(idle.closed, 2000)).toBe(true);
      await sleep(200);
      expect(await refused(server.port)).toBe(true);
      get.release();
      put.release();
      const [got, stored] = await Promise.all([get.done, put.done]);
      expect(got.status).toBe(200);
      expect(got.bytes).toBe(OBJECT_MIB * MIB);
      expect(got.sha256).toBe(bodySha256(OBJECT_MIB));
      expect(stored.status).toBe(200);
      expect(stored.headers.connection).toBe('close');
      expect(await exited).toBe(0);
      expect(Date.now() - signalledMs).toBeLessThan(20_000);
      expect(server.output()).toMatch(/SIGTERM: shutting down \(grace 20000 ms\)/);
      // The PUT answered during the drain is durable: it reads back after a restart.
      restarted = await startCairn({ dataDir: server.dataDir });
      expect(await sha256Of(restarted, 'put')).toBe(bodySha256(OBJECT_MIB));
      expect(server.errorLogs()).toEqual([]);
    } finally {
      await server.cleanup({ keepData: restarted !== undefined });
      await restarted?.cleanup();
    }
  }, 120_000);

  it('cuts a client that stops reading once a tiny grace is over, and still exits', async () => {
    const server = await storeWithBigObject(['--shutdown-grace', '1000']);
    try {
      const stuck = heldGet(presignedV4(server, 'GET', '/drain/big'));
      await stuck.started;
      const signalledMs = Date.now();
      const code = await server.stop();
      const tookMs = Date.now() - signalledMs;
      expect(code).toBe(0);
      // The grace, and the time to flush and close the store on a loaded machine.
      expect(tookMs).toBeGreaterThanOrEqual(900);
      expect(tookMs).toBeLessThan(8000);
      stuck.release();
      await expect(stuck.done).rejects.toThrow();
    } finally {
      await server.cleanup();
    }
  }, 120_000);
});
