/**
 * The RPC stream between real processes (scripts/dev-cluster.sh: one node, stanchion, an S3
 * front end): the front end's stream to the node survives the node being killed (-9) and
 * restarted in the middle of S3 traffic — later requests reconnect and succeed — and the
 * node's listener refuses an upgrade that is unsigned, signed with another cookie, or
 * replayed, and closes a stream whose first frame is not under the session key.
 */
import { PutObjectCommand, CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InternalClient } from '../../ring/transport/internal-client.js';
import { rpcStreamPath } from '../../ring/transport/rpc-session.js';
import { startDevCluster, type DevCluster } from '../helpers/dev-cluster.js';
import { s3Client } from '../helpers/s3-client.js';

let cluster: DevCluster;
let s3: S3Client;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends raw bytes to the node's port; resolves with all it answers until it closes. */
function exchange(port: number, text: string, after?: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(text);
      if (after) socket.write(after);
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('no close within 10 s')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

function upgrade(path: string, auth?: string): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: dev1\r\nConnection: Upgrade\r\nUpgrade: cairn-rpc/1\r\n` +
    (auth ? `x-cairn-auth: ${auth}\r\n` : '') +
    '\r\n'
  );
}

describe('rpc stream between real processes (1 node)', () => {
  beforeAll(async () => {
    cluster = await startDevCluster(1);
    s3 = s3Client({ url: cluster.endpoint, keyId: cluster.keyId, secret: cluster.secret });
    for (let attempt = 0; ; attempt++) {
      try {
        await s3.send(new CreateBucketCommand({ Bucket: 'stream' }));
        break;
      } catch (error) {
        if (attempt > 20) throw error;
        await sleep(1000);
      }
    }
  }, 180_000);
  afterAll(async () => {
    s3?.destroy();
    await cluster?.cleanup();
  });

  it('reconnects after the node restarts mid-traffic (kill -9, restart)', async () => {
    let stop = false;
    let okBefore = 0;
    const traffic = (async () => {
      for (let i = 0; !stop; i++) {
        const key = `during/${i}`;
        await s3
          .send(new PutObjectCommand({ Bucket: 'stream', Key: key, Body: randomBytes(4096) }))
          .then(
            () => okBefore++,
            () => sleep(100),
          );
      }
    })();
    await sleep(1500);
    await cluster.script('kill', 'dev1');
    await sleep(500);
    await cluster.script('restart', 'dev1');
    await sleep(1000);
    stop = true;
    await traffic;
    expect(okBefore).toBeGreaterThan(0);
    const body = randomBytes(70_000);
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await s3.send(new PutObjectCommand({ Bucket: 'stream', Key: 'after', Body: body }));
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(500);
      }
    }
    const got = await s3.send(new GetObjectCommand({ Bucket: 'stream', Key: 'after' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  }, 120_000);

  it('refuses an unsigned, foreign or replayed upgrade, and a forged first frame', async () => {
    const port = cluster.basePort + 1;
    const path = rpcStreamPath(randomBytes(16).toString('hex'));
    expect(await exchange(port, upgrade(path))).toMatch(/^HTTP\/1.1 401/);
    const stranger = new InternalClient({ cookie: 'not-this-clusters-cookie-0123456789' });
    expect(await exchange(port, upgrade(path, stranger.sign('GET', path, '')))).toMatch(
      /^HTTP\/1.1 401/,
    );
    const signed = new InternalClient({ cookie: cluster.cookie }).sign('GET', path, '');
    const forged = Buffer.alloc(64);
    forged.writeUInt32BE(60, 0);
    // Accepted once: 101, and the frame that follows (no valid MAC) closes the stream.
    const first = await exchange(port, upgrade(path, signed), forged);
    expect(first).toMatch(/^HTTP\/1.1 101/);
    expect(await exchange(port, upgrade(path, signed))).toMatch(/^HTTP\/1.1 401/);
  }, 60_000);
});
