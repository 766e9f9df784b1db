/**
 * The node-to-node protocol: what a coordinator asks a storage node, and the replies. The
 * in-process transport passes these objects as they are; a network transport will frame
 * them. Every field is plain data (Buffers for keys and values) so both can carry them.
 */
import type { Versioned } from '../core/dvv.js';

/** Where an item lives: its partition, keyspace, partition key and sort key. */
export interface ItemRef {
  partition: number;
  keyspace: string;
  pk: Buffer;
  sk: Buffer;
}

/** Flags every item request may carry. */
export interface RouteFlags {
  /** Sent by a vnode to the next owner of its partition during handoff: never re-forwarded. */
  forwarded?: boolean;
  /** Sent to a fallback standing in for a down primary: kept as a hint, never refused. */
  fallback?: boolean;
}

/** A replica a coordinating node replicates a write to. */
export interface ReplicaRef {
  nodeId: string;
  partition: number;
  fallback?: boolean;
}

/** A versioned state on the wire: siblings with dots; values are bytes or null (tombstone). */
export type WireVersioned = Versioned<Buffer | null>;

/** A request about items, to the node serving their partition. */
export type ItemRequest = RouteFlags &
  (
    | { op: 'get'; item: ItemRef }
    | { op: 'put'; item: ItemRef; value: Buffer }
    | { op: 'delete'; item: ItemRef }
    | {
        /** Record a client write here (this node is the actor), then replicate it. */
        op: 'coordinate';
        item: ItemRef;
        value: Buffer | null;
        context: Readonly<Record<string, number>>;
        replicas: ReplicaRef[];
        w: number;
        /** Acknowledgements needed from primaries, this node included if it is one. */
        pw?: number;
        coordinatorIsPrimary?: boolean;
        timeoutMs: number;
      }
    | { op: 'merge'; item: ItemRef; state: WireVersioned }
    /** Remove a tombstone every replica holds, unless it changed since (`digest`). */
    | { op: 'reap'; item: ItemRef; digest: string }
    | {
        op: 'scan';
        item: Omit<ItemRef, 'sk'>;
        after?: Buffer;
        prefix?: Buffer;
        limit: number;
      }
    /**
     * The distinct partition keys of `item.keyspace` this node stores in `item.partition`
     * (`item.pk` unused), after `after`: answered as items whose sk is the partition key.
     */
    | { op: 'keys'; item: Omit<ItemRef, 'sk'>; after?: Buffer; limit: number }
  );

/** One item as handoff moves it: its full on-disk key and its value. */
export interface HandoffItem {
  key: Buffer;
  value: Buffer;
}

/** A request to one storage node. */
export type NodeRequest =
  | ItemRequest
  | { op: 'handoff-batch'; partition: number; items: HandoffItem[] }
  /** Whether this node holds hints for any of `partitions` (answered as value '1' or none). */
  | { op: 'holds-hints'; partitions: number[] }
  /** Anti-entropy: this node's segment hashes for keys of primary partition `primary`. */
  | { op: 'aae-tree'; partition: number; primary: number }
  /** Anti-entropy: this node's items of `primary` in the given segments (keys sans partition). */
  | { op: 'aae-keys'; partition: number; primary: number; segments: number[] }
  | { op: 'ping' };

/** Why a node refused: `wrong-owner` tells a coordinator its ring is stale. */
export type NodeErrorKind = 'wrong-owner' | 'failed' | 'disk-full';

/** A storage node's answer. */
export type NodeReply =
  | { ok: true; value?: Buffer }
  | { ok: true; items: Array<{ sk: Buffer; value: Buffer }> }
  | { ok: false; error: string; kind?: NodeErrorKind };
