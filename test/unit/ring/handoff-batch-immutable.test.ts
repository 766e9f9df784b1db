/**
 * A handoff batch (hinted handoff, ownership transfer, anti-entropy's copy to a peer) never
 * replaces a whole copy of an immutable item: values of those keyspaces never change, so a
 * resent item costs no write, and a sender's damaged copy cannot spread over a good one.
 * Versioned items are merged as before.
 */
import { describe, expect, it } from 'vitest';
import { KEYSPACES } from '../../../ring/keyspaces.js';
import { storageNodeHandler } from '../../../ring/node/storage-node.js';
import { itemKey } from '../../../ring/storage/item-key.js';
import { memoryItemStore } from '../../helpers/scratch-dir.js';

const Q = 8;

describe('handoff-batch into a node that holds the item', () => {
  it('keeps its own copy of an immutable item, stores one it lacks', async () => {
    const store = memoryItemStore('handoff-immutable');
    const handle = storageNodeHandler(store, Q);
    const held = itemKey(2, KEYSPACES.blocks, Buffer.from('v1:0'), Buffer.alloc(0));
    const lacked = itemKey(2, KEYSPACES.blocks, Buffer.from('v1:1'), Buffer.alloc(0));
    await store.putKey(held, Buffer.from('the block as written'));
    const reply = await handle({
      op: 'handoff-batch',
      partition: 2,
      items: [
        { key: held, value: Buffer.from('a short copy') },
        { key: lacked, value: Buffer.from('block one') },
      ],
    });
    expect(reply.ok).toBe(true);
    expect(String(await store.getKey(held))).toBe('the block as written');
    expect(String(await store.getKey(lacked))).toBe('block one');
  });
});
