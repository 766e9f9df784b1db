/**
 * The GC worker's metrics in prom-client: PromGcMetrics implements objects/gc-metrics.ts's
 * GcMetrics, put in the front end's registry (embedded) or a storage node's (cluster).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { GcMetrics } from '../objects/gc-metrics.js';

export type { GcMetrics };

/** cairn_gc_backlog{state} and cairn_gc_collected_total in the given registries. */
export class PromGcMetrics implements GcMetrics {
  private readonly backlog;
  private readonly collected;
  private readonly marked;

  constructor(registers: Registry[]) {
    this.backlog = new Gauge({
      name: 'cairn_gc_backlog',
      help: 'GC queue entries of the shards this process collects: due and pending',
      labelNames: ['state'] as const,
      registers,
    });
    this.collected = new Counter({
      name: 'cairn_gc_collected_total',
      help: 'Entries collected by the garbage collector',
      registers,
    });
    this.marked = new Counter({
      name: 'cairn_gc_mark_buckets_total',
      help: "Buckets the orphan sweeper's mark walked in this process (its share when split)",
      registers,
    });
  }

  /** {@inheritDoc GcMetrics.countMarked} */
  countMarked(buckets: number): void {
    if (buckets > 0) this.marked.inc(buckets);
  }

  /** {@inheritDoc GcMetrics.setBacklog} */
  setBacklog(due: number, pending: number): void {
    this.backlog.set({ state: 'due' }, due);
    this.backlog.set({ state: 'pending' }, pending);
  }

  /** {@inheritDoc GcMetrics.countCollected} */
  countCollected(n: number): void {
    if (n > 0) this.collected.inc(n);
  }
}
