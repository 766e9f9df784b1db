/**
 * How a process that is not a storage node (an S3 front end, stanchion) follows the ring:
 * it fetches the ring from any node it knows, failing over to the next when one goes away,
 * keeps it current by polling, and pings members to know which are up.
 */
import { reconcile } from './core/gossip.js';
import { memberOf, type Ring } from './core/ring.js';
import { peerCall, PeerError } from './transport/peer-client.js';
import { STOPPING_STATUS } from './transport/stopping.js';
import { realScheduler, type Scheduler, type TimerHandle } from './real-scheduler.js';
import type { InternalClient } from './transport/internal-client.js';

/** Settings of a ring follower. */
export interface RemoteRingOptions {
  /** host:port of nodes to ask first; members learned from the ring are asked after. */
  seeds: string[];
  /** Signs the process's requests to storage nodes. */
  client: InternalClient;
  pollIntervalMs: number;
  downAfterMs: number;
  /** The poll timer's source; real unless a simulation passes its own. */
  scheduler?: Scheduler;
}

/** A ring followed from outside the cluster. */
export class RemoteRing {
  private lastSeenMs = new Map<string, number>();
  private timer: TimerHandle | undefined;
  private next = 0;

  private constructor(
    private current: Ring,
    private readonly options: RemoteRingOptions,
    private readonly clock: () => number,
  ) {}

  /** Fetches the ring from the first seed that answers. */
  static async connect(options: RemoteRingOptions, clock: () => number): Promise<RemoteRing> {
    const errors: string[] = [];
    for (const seed of options.seeds) {
      try {
        const ring = await peerCall<Ring>(options.client, seed, '/ring');
        return new RemoteRing(ring, options, clock);
      } catch (error) {
        errors.push(`${seed}: ${(error as Error).message}`);
      }
    }
    throw new Error(`no storage node answered: ${errors.join('; ')}`);
  }

  get ring(): Ring {
    return this.current;
  }

  addressOf(nodeId: string): string | undefined {
    return memberOf(this.current, nodeId)?.address;
  }

  /** Members that answered a ping within downAfterMs. */
  upNodes(): Set<string> {
    const now = this.clock();
    const up = new Set<string>();
    for (const [nodeId, seen] of this.lastSeenMs) {
      if (now - seen <= this.options.downAfterMs) up.add(nodeId);
    }
    return up;
  }

  /** Marks a node down now (a request to it failed); the next ping may bring it back. */
  markUnreachable(nodeId: string): void {
    this.lastSeenMs.delete(nodeId);
  }

  start(): void {
    const timers = this.options.scheduler ?? realScheduler;
    const every = this.options.pollIntervalMs;
    this.timer = timers.setInterval(() => void this.poll(), every, { unref: true, label: 'poll' });
  }

  stop(): void {
    (this.options.scheduler ?? realScheduler).clear(this.timer);
  }

  /** Fetches the ring now, from the next node that answers. */
  async refresh(): Promise<void> {
    const sources = [
      ...this.current.members.map((m) => m.address).filter((a) => a !== ''),
      ...this.options.seeds,
    ];
    for (let i = 0; i < sources.length; i++) {
      const address = sources[(this.next + i) % sources.length]!;
      try {
        const ring = await peerCall<Ring>(this.options.client, address, '/ring', {
          timeoutMs: this.options.downAfterMs,
        });
        this.current = reconcile(this.current, ring);
        return;
      } catch {
        this.next++;
      }
    }
  }

  /** Pings every member and refreshes the ring; waits for the first round. */
  async poll(): Promise<void> {
    const now = this.clock();
    await Promise.all(
      this.current.members.map(async (m) => {
        try {
          await peerCall(this.options.client, m.address, '/ping', { timeoutMs: 2000 });
          this.lastSeenMs.set(m.nodeId, now);
        } catch (error) {
          // A node answering "stopping" is down now; one not answering is dropped by
          // upNodes() after downAfterMs.
          if (error instanceof PeerError && error.status === STOPPING_STATUS) {
            this.markUnreachable(m.nodeId);
          }
        }
      }),
    );
    await this.refresh();
  }
}
