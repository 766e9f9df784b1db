/**
 * The node-to-node protocol: what a coordinator asks a storage node, and the replies. The
 * in-process transport passes these objects as they are; a network transport will frame
 * them. Every field is plain data (Buffers for keys and values) so both can carry them.
 */

/** Where an item lives: its partition, keyspace, partition key and sort key. */
export interface ItemRef {
  partition: number;
  keyspace: string;
  pk: Buffer;
  sk: Buffer;
}

/** A request to one storage node. */
export type NodeRequest =
  | { op: 'get'; item: ItemRef }
  | { op: 'put'; item: ItemRef; value: Buffer }
  | { op: 'delete'; item: ItemRef }
  | {
      op: 'scan';
      item: Omit<ItemRef, 'sk'>;
      after?: Buffer;
      prefix?: Buffer;
      limit: number;
    }
  | { op: 'ping' };

/** A storage node's answer. */
export type NodeReply =
  | { ok: true; value?: Buffer }
  | { ok: true; items: Array<{ sk: Buffer; value: Buffer }> }
  | { ok: false; error: string };
