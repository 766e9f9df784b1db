/**
 * A storage node's Prometheus metrics, in a Registry the node owns (ring/ imports nothing
 * from src/, and no process-wide registry is used). Handoff and hint counters are bumped by
 * callbacks; transfer and anti-entropy figures the node already keeps are read at scrape
 * time, so the data path pays nothing for them.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { AaeStats, AntiEntropy } from './anti-entropy.js';
import type { HandoffManager, TransferStatus } from './handoff.js';
import type { HintedHandoff } from './hinted-handoff.js';

/** What the node's metrics read at scrape time. */
export interface NodeMetricsSources {
  handoff: { status(): TransferStatus[] };
  aaeStats: () => AaeStats;
  /** Members of the ring this node is in (1 for the embedded store). */
  members?: () => number;
}

/** Where the series go: the node's own registry, or one it shares (the embedded store's). */
export interface NodeMetricsOptions {
  processMetrics: boolean;
  /** Register into this registry instead of a new one. */
  registry?: Registry;
}

/** The storage node's metrics. */
export class NodeMetrics {
  readonly registry: Registry;
  private readonly handoffBytes;
  private readonly hintItems;

  constructor(sources: NodeMetricsSources, options: NodeMetricsOptions = { processMetrics: true }) {
    this.registry = options.registry ?? new Registry();
    const registers = [this.registry];
    new Gauge({
      name: 'cairn_handoff_transfers_active',
      help: 'Ownership handoff transfers under way from this node',
      registers,
      collect() {
        this.set(sources.handoff.status().length);
      },
    });
    this.handoffBytes = new Counter({
      name: 'cairn_handoff_sent_bytes_total',
      help: 'Bytes (keys and values) sent by ownership handoff',
      registers,
    });
    this.hintItems = new Counter({
      name: 'cairn_hinted_handoff_delivered_items_total',
      help: 'Hinted items handed back to their primary',
      registers,
    });
    monotonicFromStats(registers, sources, 'keysRepaired', {
      name: 'cairn_aae_repaired_keys_total',
      help: 'Keys anti-entropy found different between replicas and repaired',
    });
    monotonicFromStats(registers, sources, 'exchanges', {
      name: 'cairn_aae_exchanges_total',
      help: 'Anti-entropy tree exchanges completed',
    });
    const members = sources.members;
    if (members) {
      new Gauge({
        name: 'cairn_ring_members',
        help: 'Members of the ring as this node sees it',
        registers,
        collect() {
          this.set(members());
        },
      });
    }
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts bytes one handoff batch sent. */
  countHandoffBytes(bytes: number): void {
    this.handoffBytes.inc(bytes);
  }

  /** Counts hinted items one batch delivered. */
  countHintsDelivered(items: number): void {
    this.hintItems.inc(items);
  }

  /** The text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** The exposition's content type. */
  get contentType(): string {
    return this.registry.contentType;
  }
}

/** The node's metrics, fed by its handoff, hinted handoff and anti-entropy. */
export function attachNodeMetrics(
  handoff: HandoffManager,
  hints: HintedHandoff,
  aae: AntiEntropy,
  options: NodeMetricsOptions & { members?: () => number } = { processMetrics: true },
): NodeMetrics {
  const sources = {
    handoff,
    aaeStats: () => aae.stats,
    ...(options.members ? { members: options.members } : {}),
  };
  const metrics = new NodeMetrics(sources, options);
  handoff.onBatchSent = (_items, bytes) => metrics.countHandoffBytes(bytes);
  hints.onDelivered = (items) => metrics.countHintsDelivered(items);
  return metrics;
}

/** A counter that follows a monotonic figure of the AAE stats, read at scrape time. */
function monotonicFromStats(
  registers: Registry[],
  sources: NodeMetricsSources,
  field: 'keysRepaired' | 'exchanges',
  names: { name: string; help: string },
): void {
  let seen = 0;
  new Counter({
    ...names,
    registers,
    collect() {
      const now = sources.aaeStats()[field];
      if (now > seen) this.inc(now - seen);
      seen = Math.max(seen, now);
    },
  });
}
