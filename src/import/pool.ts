/**
 * A bounded set of concurrent tasks: `run` waits for a free slot before it starts one, so
 * a producer (a bucket listing) never runs ahead of the copies by more than the bound.
 */
export class Pool {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('a pool needs 1+ slots');
  }

  /** Starts `task` once a slot is free; resolves when it has started. Task errors are its own. */
  async run(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.size) await Promise.race(this.running);
    const started = task().catch(() => undefined);
    const tracked = started.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  /** Resolves once every started task has ended. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.race(this.running);
  }
}
