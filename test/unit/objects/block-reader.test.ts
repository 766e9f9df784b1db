import { describe, expect, it } from 'vitest';
import {
  BlockUnreadableError,
  fetchIntactBlock,
  storedBlockBytes,
} from '../../../src/objects/block-reader.js';

/** A ring whose replicas hold `copies` of every block, offered in that order. */
function ringHolding(copies: Buffer[]) {
  const asked: string[] = [];
  return {
    asked,
    ring: {
      getAccepted(_keyspace: string, pk: unknown, _sk: unknown, accept: (v: Buffer) => boolean) {
        asked.push(String(pk));
        return Promise.resolve(copies.find(accept));
      },
    },
  };
}

describe('fetchIntactBlock', () => {
  const block = { versionId: 'v1', n: 3, bytes: 10 };

  it('passes over a short copy for an intact one of the same block id', async () => {
    const { ring, asked } = ringHolding([Buffer.alloc(4, 1), Buffer.alloc(10, 2)]);
    expect(await fetchIntactBlock(ring, block)).toEqual(Buffer.alloc(10, 2));
    expect(asked).toEqual(['v1:3']);
  });

  it('fails when every replica holds a short or long copy', async () => {
    const { ring } = ringHolding([Buffer.alloc(4), Buffer.alloc(11)]);
    await expect(fetchIntactBlock(ring, block)).rejects.toBeInstanceOf(BlockUnreadableError);
  });

  it('expects the sealed length of an encrypted block', async () => {
    const sealed = storedBlockBytes(10, 4);
    expect(sealed).toBe(10 + 3 * 16);
    const { ring } = ringHolding([Buffer.alloc(10), Buffer.alloc(sealed)]);
    expect((await fetchIntactBlock(ring, block, 4)).length).toBe(sealed);
  });
});
