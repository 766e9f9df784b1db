/**
 * Active anti-entropy: each node keeps, in memory, a segment-hash tree for every
 * (vnode partition, primary partition) pair it stores (Riak's index_n trees), built by one
 * scan at start and kept current on every write through the item store's observer. In the
 * background, at a bounded rate, it compares one tree with each other replica's, fetches
 * the items of differing segments, and repairs both sides: versioned values are merged
 * (sync), immutable ones copied to the side that lacks them. Maths in core/merkle.ts.
 */
import { createHash } from 'node:crypto';
import { sync, versionDigest } from '../core/dvv.js';
import { partitionOf, ringIndex } from '../core/hash.js';
import {
  differingSegments,
  emptyHash,
  itemHash,
  SEGMENT_COUNT,
  segmentOf,
  treeLevels,
  updateSegment,
} from '../core/merkle.js';
import type { Ring } from '../core/ring.js';
import { isVersioned } from '../keyspaces.js';
import { keyspaceOfKey, parseItemKey } from '../storage/item-key.js';
import type { NodeReply, NodeRequest } from '../transport/messages.js';
import type { Transport } from '../transport/transport.js';
import { isBlobEntry, skipDamaged, type ItemStore } from './item-store.js';
import { decodeVersioned, encodeVersioned } from '../transport/versioned-codec.js';
import type { VersionedItems } from './versioned-item.js';

/** What anti-entropy needs to know about the cluster. */
export interface AaeRing {
  readonly nodeId: string;
  readonly ring: Ring;
  isUp(nodeId: string): boolean;
}

/** Counters for status and tests. */
export interface AaeStats {
  exchanges: number;
  keysRepaired: number;
  /** When the last exchange finished, in ms since the epoch (absent before the first). */
  lastExchangeAtMs?: number;
  /** The last exchange failure, if any. */
  lastError?: string;
}

/** The key without its 2-byte partition prefix: the same on every replica. */
function keySuffix(key: Buffer): Buffer {
  return key.subarray(2);
}

function withPartition(partition: number, suffix: Buffer): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(partition, 0);
  return Buffer.concat([head, suffix]);
}

/** The primary partition of an item key (from its keyspace and partition key). */
function primaryOf(key: Buffer, partitionCount: number): number {
  const { keyspace, pk } = parseItemKey(key);
  return partitionOf(ringIndex(keyspace, pk), partitionCount);
}

/** A stored entry's version digest: blob-stored values are immutable, so presence is all. */
function entryDigest(entry: Buffer): string {
  if (isBlobEntry(entry)) return 'blob';
  return createHash('sha1').update(entry).digest('hex');
}

/** One node's trees and exchanges. */
export class AntiEntropy {
  private readonly trees = new Map<string, Buffer[]>();
  private cursor = 0;
  readonly stats: AaeStats = { exchanges: 0, keysRepaired: 0 };

  constructor(
    private readonly store: ItemStore,
    private readonly versioned: VersionedItems,
    private readonly source: AaeRing,
    private readonly transport: Transport,
    private readonly options: { nVal: number; timeoutMs: number; now?: () => number },
  ) {}

  /** Builds every tree with one scan, then follows every change. */
  async start(): Promise<void> {
    const q = this.source.ring.partitionCount;
    this.store.observe((key, before, after) => this.onChange(key, before, after));
    for (let p = 0; p < q; p++) {
      let after: Buffer | undefined;
      for (;;) {
        const page = await this.store.entries(p, after, 1000);
        for (const [key, entry] of page) this.onChange(key, undefined, entry);
        if (page.length < 1000) break;
        after = page.at(-1)![0];
      }
    }
  }

  private onChange(key: Buffer, before?: Buffer, after?: Buffer): void {
    const q = this.source.ring.partitionCount;
    const partition = key.readUInt16BE(0);
    if (partition >= q) return;
    const id = `${partition}/${primaryOf(key, q)}`;
    const tree = this.trees.get(id) ?? Array.from({ length: SEGMENT_COUNT }, emptyHash);
    const suffix = keySuffix(key);
    const s = segmentOf(suffix);
    tree[s] = updateSegment(
      tree[s]!,
      before && itemHash(suffix, entryDigest(before)),
      after && itemHash(suffix, entryDigest(after)),
    );
    this.trees.set(id, tree);
  }

  /** Answers a peer's aae-tree and aae-keys requests. */
  async answer(request: NodeRequest): Promise<NodeReply> {
    if (request.op === 'aae-tree') {
      const tree = this.trees.get(`${request.partition}/${request.primary}`);
      const segments = tree ?? Array.from({ length: SEGMENT_COUNT }, emptyHash);
      return { ok: true, value: Buffer.concat(segments) };
    }
    if (request.op === 'aae-keys') {
      const items = await this.itemsIn(request.partition, request.primary, request.segments);
      return { ok: true, items: items.map((i) => ({ sk: i.suffix, value: i.value })) };
    }
    return { ok: false, error: `not an anti-entropy request: ${request.op}` };
  }

  private async itemsIn(partition: number, primary: number, segments: number[]) {
    const wanted = new Set(segments);
    const q = this.source.ring.partitionCount;
    const found: Array<{ suffix: Buffer; value: Buffer }> = [];
    let after: Buffer | undefined;
    for (;;) {
      const page = await this.store.entries(partition, after, 1000);
      for (const [key] of page) {
        const suffix = keySuffix(key);
        if (primaryOf(key, q) !== primary || !wanted.has(segmentOf(suffix))) continue;
        // A damaged copy counts as missing: the exchange repairs it from the peer's.
        const value = await this.store.getKey(key).catch(skipDamaged);
        if (value) found.push({ suffix, value });
      }
      if (page.length < 1000) return found;
      after = page.at(-1)![0];
    }
  }

  /** The replicas of primary partition `pp` other than this node: (partition, node). */
  private peersOf(pp: number): Array<{ partition: number; nodeId: string }> {
    const { ring, nodeId } = this.source;
    const peers = [];
    for (let i = 0; i < this.options.nVal; i++) {
      const partition = (pp + i) % ring.partitionCount;
      const owner = ring.owners[partition]!;
      if (owner !== nodeId) peers.push({ partition, nodeId: owner });
    }
    return peers;
  }

  /** One exchange: the next tree this node owns, against each of its up peers. */
  async exchangeOnce(): Promise<void> {
    const { ring, nodeId } = this.source;
    const q = ring.partitionCount;
    for (let tries = 0; tries < q * this.options.nVal; tries++) {
      const index = this.cursor++ % (q * this.options.nVal);
      const partition = Math.floor(index / this.options.nVal);
      const pp = (partition - (index % this.options.nVal) + q) % q;
      if (ring.owners[partition] !== nodeId || ring.nextOwners[partition] != null) continue;
      for (const peer of this.peersOf(pp)) {
        if (this.source.isUp(peer.nodeId)) await this.exchange(partition, pp, peer);
      }
      this.stats.exchanges++;
      if (this.options.now) this.stats.lastExchangeAtMs = this.options.now();
      return;
    }
  }

  private async exchange(
    partition: number,
    pp: number,
    peer: { partition: number; nodeId: string },
  ) {
    const mine =
      this.trees.get(`${partition}/${pp}`) ?? Array.from({ length: SEGMENT_COUNT }, emptyHash);
    const reply = await this.call(peer.nodeId, {
      op: 'aae-tree',
      partition: peer.partition,
      primary: pp,
    });
    if (!reply?.ok || !('value' in reply) || !reply.value) return;
    const theirs = Array.from({ length: SEGMENT_COUNT }, (_, i) =>
      reply.value!.subarray(i * 16, (i + 1) * 16),
    );
    const segments = differingSegments(treeLevels(mine), treeLevels(theirs));
    if (segments.length === 0) return;
    const request: NodeRequest = {
      op: 'aae-keys',
      partition: peer.partition,
      primary: pp,
      segments,
    };
    const keys = await this.call(peer.nodeId, request);
    if (!keys?.ok || !('items' in keys)) return;
    const ours = await this.itemsIn(partition, pp, segments);
    await this.repair(
      partition,
      peer,
      ours,
      keys.items.map((i) => ({ suffix: i.sk, value: i.value })),
    );
  }

  private async repair(
    partition: number,
    peer: { partition: number; nodeId: string },
    ours: Array<{ suffix: Buffer; value: Buffer }>,
    theirs: Array<{ suffix: Buffer; value: Buffer }>,
  ): Promise<void> {
    const mine = new Map(ours.map((i) => [i.suffix.toString('hex'), i.value]));
    const other = new Map(theirs.map((i) => [i.suffix.toString('hex'), i.value]));
    for (const id of new Set([...mine.keys(), ...other.keys()])) {
      const suffix = Buffer.from(id, 'hex');
      const a = mine.get(id);
      const b = other.get(id);
      if (a && b && a.equals(b)) continue;
      const myKey = withPartition(partition, suffix);
      const theirKey = withPartition(peer.partition, suffix);
      if (isVersioned(keyspaceOfKey(myKey)))
        await this.repairVersioned(myKey, theirKey, peer, a, b);
      else if (!a && b) await this.store.putKey(myKey, b);
      else if (a && !b) await this.sendRaw(peer.nodeId, theirKey, a);
      this.stats.keysRepaired++;
    }
  }

  private async repairVersioned(
    myKey: Buffer,
    theirKey: Buffer,
    peer: { nodeId: string },
    a: Buffer | undefined,
    b: Buffer | undefined,
  ): Promise<void> {
    const mineState = a ? decodeVersioned(a) : { siblings: [] };
    const theirState = b ? decodeVersioned(b) : { siblings: [] };
    const merged = sync(mineState, theirState);
    if (versionDigest(merged) !== versionDigest(mineState)) {
      await this.versioned.mergeKey(myKey, theirState);
    }
    if (versionDigest(merged) !== versionDigest(theirState)) {
      await this.call(peer.nodeId, {
        op: 'handoff-batch',
        partition: theirKey.readUInt16BE(0),
        items: [{ key: theirKey, value: encodeVersioned(merged) }],
      });
    }
  }

  private async sendRaw(nodeId: string, key: Buffer, value: Buffer): Promise<void> {
    await this.call(nodeId, {
      op: 'handoff-batch',
      partition: key.readUInt16BE(0),
      items: [{ key, value }],
    });
  }

  private async call(nodeId: string, request: NodeRequest): Promise<NodeReply | undefined> {
    return this.transport
      .call(nodeId, request, { timeoutMs: this.options.timeoutMs })
      .catch(() => undefined);
  }
}
