/**
 * Hinted handoff: while a primary is down, a fallback stores its writes (hints) under the
 * primary's partition. When the primary answers again, the fallback sends every hint of
 * that partition back (merged, never overwriting) and then drops them, under the
 * partition's lock, and only if no new hint arrived meanwhile. Marks are persisted, so a
 * restart of the fallback neither loses nor forgets its hints.
 */
import type { Ring } from '../core/ring.js';
import type { Transport } from '../transport/transport.js';
import type { ItemStore } from './item-store.js';
import type { PartitionLocks } from './partition-locks.js';

/** What hinted handoff needs to know about the cluster. */
export interface HintRing {
  readonly nodeId: string;
  readonly ring: Ring;
  isUp(nodeId: string): boolean;
}

/** Settings of hinted handoff. */
export interface HintOptions {
  batchItemsMax: number;
  batchBytesMax: number;
  timeoutMs: number;
}

/** The hints this node holds for other nodes' partitions, and their return. */
export class HintedHandoff {
  private readonly hinted = new Set<number>();
  private readonly writes = new Map<number, number>();
  private readonly returning = new Set<number>();
  /** Told of every batch of hints a primary accepted back (items), for metrics. */
  onDelivered?: (items: number) => void;

  constructor(
    private readonly store: ItemStore,
    private readonly ringSource: HintRing,
    private readonly transport: Transport,
    private readonly locks: PartitionLocks,
    private readonly options: HintOptions,
  ) {}

  /** Loads the marks persisted by markHinted. */
  async load(): Promise<void> {
    for (let p = 0; p < this.ringSource.ring.partitionCount; p++) {
      if (await this.store.getMeta(`hinted/${p}`)) this.hinted.add(p);
    }
  }

  /** Whether this node holds hints for `partition` (its data must not be dropped). */
  isHinted(partition: number): boolean {
    return this.hinted.has(partition);
  }

  /** Records a hint write; call under the partition's lock. */
  async markHinted(partition: number): Promise<void> {
    this.writes.set(partition, (this.writes.get(partition) ?? 0) + 1);
    if (this.hinted.has(partition)) return;
    this.hinted.add(partition);
    await this.store.putMeta(`hinted/${partition}`, Buffer.from('1'));
  }

  /** Hands back the hints of every partition whose primary is up again. */
  async tick(): Promise<void> {
    const { ring, nodeId } = this.ringSource;
    for (const p of this.hinted) {
      const owner = ring.owners[p]!;
      const serves = owner === nodeId || ring.nextOwners[p] === nodeId;
      if (serves || this.returning.has(p) || !this.ringSource.isUp(owner)) continue;
      this.returning.add(p);
      void this.handBack(p, owner).finally(() => this.returning.delete(p));
    }
  }

  private async handBack(partition: number, owner: string): Promise<void> {
    const before = this.writes.get(partition) ?? 0;
    let after: Buffer | undefined;
    for (;;) {
      const items = await this.store.exportPartition(partition, after, {
        itemsMax: this.options.batchItemsMax,
        bytesMax: this.options.batchBytesMax,
      });
      if (items.length === 0) break;
      const reply = await this.transport
        .call(owner, { op: 'handoff-batch', partition, items }, this.options)
        .catch(() => ({ ok: false as const, error: 'unreachable' }));
      if (!reply.ok) return;
      this.onDelivered?.(items.length);
      after = items.at(-1)!.key;
    }
    await this.locks.with(partition, async () => {
      if ((this.writes.get(partition) ?? 0) !== before) return;
      await this.store.dropPartition(partition);
      this.hinted.delete(partition);
      await this.store.putMeta(`hinted/${partition}`, undefined);
    });
  }
}
