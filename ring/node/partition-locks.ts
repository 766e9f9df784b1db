/**
 * Async mutexes by key. Per partition: handoff holds one while it reads and sends a batch,
 * and a write to a partition in handoff holds it while it writes locally and forwards, so a
 * batch never carries a value older than one already forwarded to the next owner. Per item:
 * a versioned write reads, merges and writes its key under one, so none is lost.
 */

/** Mutual exclusion per key (a partition number, an item key). */
export class KeyedLocks<K> {
  private readonly tails = new Map<K, Promise<void>>();

  /** Runs `fn` once every earlier holder of `partition` has finished. */
  async with<T>(partition: K, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(partition) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(partition, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(partition) === tail) this.tails.delete(partition);
    }
  }
}

/** Per-partition mutual exclusion. */
export class PartitionLocks extends KeyedLocks<number> {}
