/**
 * The RPC stream's framing (ring/transport/frame.ts) and handshake values
 * (ring/transport/rpc-session.ts): frames round-trip in any chunking; a truncated,
 * oversized, altered, replayed, reordered, reflected or garbage frame is refused.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeMessage, decodeMessage } from '../../../ring/transport/codec.js';
import { FrameError, FrameKind, FrameReader, FrameSealer } from '../../../ring/transport/frame.js';
import {
  acceptSession,
  clientNonceOf,
  rpcStreamPath,
  sessionHeader,
  sessionKey,
} from '../../../ring/transport/rpc-session.js';

const KEY = randomBytes(32);
const MAX = 1024 * 1024;

function sealAll(payloads: Buffer[], key = KEY): Buffer {
  const sealer = new FrameSealer(key, 'client');
  return Buffer.concat(payloads.flatMap((p, i) => sealer.seal(i + 1, FrameKind.request, p)));
}

const reader = (key = KEY, max = MAX) => new FrameReader(key, 'client', max);

describe('rpc frames', () => {
  it('round-trip a message with raw values, whatever the chunking (1..97 B pieces)', () => {
    const value = randomBytes(70_000);
    const message = { op: 'put', item: { partition: 3, pk: Buffer.from('k') }, value };
    const payloads = [encodeMessage(message), Buffer.alloc(0), encodeMessage({ op: 'ping' })];
    const bytes = sealAll(payloads);
    for (const step of [1, 7, 97, bytes.length]) {
      const r = reader();
      const frames = [];
      for (let at = 0; at < bytes.length; at += step) {
        frames.push(...r.push(bytes.subarray(at, at + step)));
      }
      r.end();
      expect(frames.map((f) => f.id)).toEqual([1, 2, 3]);
      expect(frames.map((f) => f.kind)).toEqual([1, 1, 1]);
      const decoded = decodeMessage<typeof message>(frames[0]!.payload);
      expect(decoded.value.equals(value)).toBe(true);
      expect(frames[1]!.payload.length).toBe(0);
    }
  });

  it('waits on a truncated frame, and refuses a stream that ends inside one', () => {
    const bytes = sealAll([Buffer.from('hello')]);
    const r = reader();
    expect(r.push(bytes.subarray(0, bytes.length - 1))).toEqual([]);
    expect(r.bufferedBytes).toBe(bytes.length - 1);
    expect(() => r.end()).toThrow(FrameError);
  });

  it('refuses a frame over the bound from its length alone, before its bytes arrive', () => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(MAX + 1, 0);
    expect(() => reader().push(head)).toThrow(/over the bound/);
    head.writeUInt32BE(0xffffffff, 0);
    expect(() => reader().push(head)).toThrow(/over the bound/);
  });

  it('refuses a length too short to hold a head and a MAC', () => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(10, 0);
    expect(() => reader().push(head)).toThrow(/shorter/);
  });

  it('refuses garbage, a flipped bit, a wrong key, and stays refused', () => {
    const garbage = randomBytes(200);
    garbage.writeUInt32BE(150, 0);
    expect(() => reader().push(garbage)).toThrow(/MAC/);
    const bytes = sealAll([Buffer.from('payload')]);
    for (let bit = 0; bit < bytes.length * 8; bit += 13) {
      const flipped = Buffer.from(bytes);
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      expect(() => reader().push(flipped)).toThrow(FrameError);
    }
    const r = reader(randomBytes(32));
    expect(() => r.push(bytes)).toThrow(/MAC/);
    expect(() => r.push(sealAll([Buffer.from('x')]))).toThrow(/MAC/);
  });

  it('refuses a replayed, reordered or reflected frame (sequence and direction in the MAC)', () => {
    const sealer = new FrameSealer(KEY, 'client');
    const first = Buffer.concat(sealer.seal(1, FrameKind.request, Buffer.from('a')));
    const second = Buffer.concat(sealer.seal(2, FrameKind.request, Buffer.from('b')));
    const replay = reader();
    expect(replay.push(first)).toHaveLength(1);
    expect(() => replay.push(first)).toThrow(/MAC/);
    expect(() => reader().push(second)).toThrow(/MAC/);
    const reflected = new FrameReader(KEY, 'server', MAX);
    expect(() => reflected.push(first)).toThrow(/MAC/);
  });

  it('refuses an unknown kind even under a good MAC', () => {
    const sealer = new FrameSealer(KEY, 'client');
    const bytes = Buffer.concat(sealer.seal(1, 9 as FrameKind, Buffer.from('a')));
    expect(() => reader().push(bytes)).toThrow(/unknown frame kind/);
  });
});

describe('rpc session handshake values', () => {
  const cookieKey = randomBytes(32);
  const clientNonce = randomBytes(16).toString('hex');
  const serverNonce = randomBytes(16).toString('hex');

  it('derives the same key on both sides; the proof needs the cookie', () => {
    const key = sessionKey(cookieKey, clientNonce, serverNonce);
    const header = sessionHeader(key, serverNonce);
    expect(acceptSession(cookieKey, clientNonce, header)?.equals(key)).toBe(true);
    expect(acceptSession(randomBytes(32), clientNonce, header)).toBeUndefined();
    const otherNonce = randomBytes(16).toString('hex');
    expect(acceptSession(cookieKey, otherNonce, header)).toBeUndefined();
    for (const bad of [undefined, '', 'x.y', `${serverNonce}.${'0'.repeat(64)}`]) {
      expect(acceptSession(cookieKey, clientNonce, bad)).toBeUndefined();
    }
  });

  it('puts the nonce in the signed path and reads only well-formed ones back', () => {
    expect(clientNonceOf(rpcStreamPath(clientNonce))).toBe(clientNonce);
    expect(clientNonceOf('/rpc-stream?n=XYZ')).toBeUndefined();
    expect(clientNonceOf(`/rpc-stream?n=${clientNonce}&x=1`)).toBeUndefined();
    expect(clientNonceOf('/rpc')).toBeUndefined();
    expect(() => rpcStreamPath('short')).toThrow();
  });
});
