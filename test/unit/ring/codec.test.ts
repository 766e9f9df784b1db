/**
 * The message codec (ring/transport/codec.ts) writes exactly the bytes it wrote before it
 * stopped using a JSON.stringify replacer: versioned values are stored with it, so data dirs
 * written by older builds, and older peers, must read the new bytes and the new code theirs.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { legacyEncodeMessage } from '../../../bench/transport/legacy-codec.js';
import { decodeMessage, encodeMessage, encodeMessageParts } from '../../../ring/transport/codec.js';

/** The encoder as it was (commit dd6e804), kept as the reference (and by the bench). */
const legacyEncode = legacyEncodeMessage;

const item = { partition: 7, keyspace: 'manifests', pk: randomBytes(16), sk: Buffer.from('k') };
const MESSAGES: unknown[] = [
  { op: 'ping' },
  { op: 'put', item, value: randomBytes(4096) },
  { op: 'get', item, forwarded: true, fallback: undefined },
  {
    op: 'coordinate',
    item,
    value: null,
    context: { a: 3, b: 1 },
    replicas: [{ nodeId: 'dev1', partition: 7 }],
    w: 2,
    timeoutMs: 10_000,
  },
  { op: 'handoff-batch', partition: 3, items: [{ key: randomBytes(40), value: Buffer.alloc(0) }] },
  { ok: true, items: [{ sk: Buffer.from('a'), value: randomBytes(9) }] },
  {
    siblings: [
      { dot: ['x', 1], value: randomBytes(100) },
      { dot: ['y', 2], value: null },
    ],
  },
  randomBytes(33),
  [Buffer.from('x'), 1, 'two', null, [Buffer.from('nested')]],
  { text: 'ünïcødé ✓', n: -1.5, empty: {}, list: [] },
  null,
  'just a string',
];

describe('message codec', () => {
  it('writes the same bytes as the replacer-based encoder did', () => {
    for (const message of MESSAGES) {
      expect(encodeMessage(message).equals(legacyEncode(message))).toBe(true);
      expect(Buffer.concat(encodeMessageParts(message)).equals(legacyEncode(message))).toBe(true);
    }
  });

  it('round-trips Buffers as Buffers', () => {
    const message = { op: 'put', item, value: randomBytes(70_000) };
    const decoded = decodeMessage<typeof message>(encodeMessage(message));
    expect(decoded.value.equals(message.value)).toBe(true);
    expect(decoded.item.pk.equals(item.pk)).toBe(true);
  });

  it('refuses a truncated header and a reference out of range', () => {
    const bytes = encodeMessage({ value: Buffer.from('abc') });
    expect(() => decodeMessage(bytes.subarray(0, 2))).toThrow(/too short/);
    expect(() => decodeMessage(bytes.subarray(0, 10))).toThrow(/truncated/);
    expect(() => decodeMessage(bytes.subarray(0, bytes.length - 1))).toThrow(/out of range/);
  });
});
