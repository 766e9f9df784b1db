/**
 * Versioned items on a storage node: a mutable value is stored as its dotted-version-vector
 * state (siblings with their dots), so that concurrent writes become siblings instead of
 * one silently replacing the other. A coordinating write reads, updates with this node as
 * the actor, and writes under the item's lock; a merge (replication, read repair, handoff
 * of hints, anti-entropy) syncs an incoming state into the stored one under the same lock.
 * Tombstones are siblings whose value is null.
 */
import { emptyVersioned, sync, update, versionDigest, type VersionVector } from '../core/dvv.js';
import { itemKey } from '../storage/item-key.js';
import {
  decodeVersioned,
  encodeVersioned,
  type VersionedValue,
} from '../transport/versioned-codec.js';
import type { ItemAddress, ItemStore } from './item-store.js';
import { KeyedLocks } from './partition-locks.js';

/** Versioned reads and writes over one node's item store. */
export class VersionedItems {
  private readonly locks = new KeyedLocks<string>();

  constructor(
    private readonly store: ItemStore,
    private readonly actor: string,
  ) {}

  /** The stored state, empty when the item does not exist. */
  async read(address: ItemAddress): Promise<VersionedValue> {
    const stored = await this.store.get(address);
    return stored ? decodeVersioned(stored) : emptyVersioned();
  }

  /** Records a client write made with `context`; returns the new state. */
  coordinate(
    address: ItemAddress,
    value: Buffer | null,
    context: VersionVector,
  ): Promise<VersionedValue> {
    return this.locks.with(lockKey(address), async () => {
      // The actor is this copy of the partition (its incarnation included): one sequential
      // history per actor and key, which dotted version vectors need to be sound.
      const epoch = await this.store.vnodeEpoch(address.partition);
      const actor = `${this.actor}/${address.partition}.${epoch}`;
      const next = update(await this.read(address), context, actor, value);
      await this.store.put(address, encodeVersioned(next));
      return next;
    });
  }

  /**
   * Removes the item if its state is still the all-tombstone state with `digest`; a newer
   * write (any other digest) keeps it. Returns whether it was removed.
   */
  reap(address: ItemAddress, digest: string): Promise<boolean> {
    return this.locks.with(lockKey(address), async () => {
      const current = await this.read(address);
      const dead = current.siblings.length > 0 && current.siblings.every((s) => s.value === null);
      if (!dead || versionDigest(current) !== digest) return false;
      await this.store.delete(address);
      return true;
    });
  }

  /** Syncs `incoming` into the stored state; returns the merged state. */
  merge(address: ItemAddress, incoming: VersionedValue): Promise<VersionedValue> {
    return this.mergeKey(
      itemKey(address.partition, address.keyspace, address.pk, address.sk),
      incoming,
    );
  }

  /** merge, by full item key (as handoff carries them). */
  mergeKey(key: Buffer, incoming: VersionedValue): Promise<VersionedValue> {
    return this.locks.with(key.toString('hex'), async () => {
      const stored = await this.store.getKey(key);
      const current = stored ? decodeVersioned(stored) : emptyVersioned<Buffer | null>();
      const merged = sync(current, incoming);
      if (versionDigest(merged) !== versionDigest(current)) {
        await this.store.putKey(key, encodeVersioned(merged));
      }
      return merged;
    });
  }
}

function lockKey(address: ItemAddress): string {
  return itemKey(address.partition, address.keyspace, address.pk, address.sk).toString('hex');
}
