/**
 * Owns a node's view of the ring: loads and persists it, gossips it (push-pull with one
 * random member per tick, and to every member after a change), tracks which peers answer,
 * and runs the claimant's staged changes, plan and commit. Ring changes are computed by the
 * pure functions of ring/core; this shell only stores, sends and schedules.
 */
import { reconcile } from '../core/gossip.js';
import {
  completeTransfer,
  planChanges,
  stageChange,
  type Plan,
  type StagedChange,
} from '../core/membership.js';
import { memberOf, singleNodeRing, type Ring } from '../core/ring.js';
import { realScheduler, type Scheduler, type TimerHandle } from '../real-scheduler.js';
import type { InternalClient } from '../transport/internal-client.js';
import { peerCall, PeerError } from '../transport/peer-client.js';
import { STOPPING_STATUS } from '../transport/stopping.js';
import type { RingStore } from './ring-store.js';

/** Settings of a ring manager. */
export interface RingManagerOptions {
  nodeId: string;
  address: string;
  partitionCount: number;
  /** Signs gossip to peers. */
  client: InternalClient;
  gossipIntervalMs: number;
  /** A peer not heard from for this long counts as down. */
  downAfterMs: number;
  /** The gossip timer's source; real unless a simulation passes its own. */
  scheduler?: Scheduler;
}

type RingListener = (ring: Ring) => void;

/** One node's ring state and its membership duties. */
export class RingManager {
  private staged: StagedChange[] = [];
  private readonly lastSeenMs = new Map<string, number>();
  private readonly listeners: RingListener[] = [];
  private timer: TimerHandle | undefined;

  private constructor(
    private current: Ring,
    private readonly store: RingStore,
    private readonly options: RingManagerOptions,
    private readonly clock: () => number,
  ) {}

  /** Loads the persisted ring, or creates a cluster of one. */
  static async open(store: RingStore, options: RingManagerOptions, clock: () => number) {
    let ring = await store.loadRing();
    if (ring && ring.partitionCount !== options.partitionCount) {
      throw new Error(
        `this node's data was created with ring_creation_size ${ring.partitionCount}, ` +
          `not ${options.partitionCount}`,
      );
    }
    if (!ring) {
      ring = singleNodeRing(options.nodeId, options.partitionCount, options.address);
      await store.saveRing(ring);
    }
    const manager = new RingManager(ring, store, options, clock);
    manager.staged = await store.loadStaged();
    return manager;
  }

  get ring(): Ring {
    return this.current;
  }

  get nodeId(): string {
    return this.options.nodeId;
  }

  /** Calls `listener` after every change of the ring. */
  onRing(listener: RingListener): void {
    this.listeners.push(listener);
  }

  /** This node and every member heard from recently. */
  upNodes(): Set<string> {
    const now = this.clock();
    const up = new Set([this.options.nodeId]);
    for (const [nodeId, seen] of this.lastSeenMs) {
      if (now - seen <= this.options.downAfterMs) up.add(nodeId);
    }
    return up;
  }

  /** host:port of a member, if known. */
  addressOf(nodeId: string): string | undefined {
    if (nodeId === this.options.nodeId) return this.options.address;
    return memberOf(this.current, nodeId)?.address;
  }

  /** Records that `nodeId` answered just now. */
  markSeen(nodeId: string): void {
    if (nodeId !== this.options.nodeId) this.lastSeenMs.set(nodeId, this.clock());
  }

  /** Records that `nodeId` said it is stopping (or answered so): down until heard again. */
  markDown(nodeId: string): void {
    this.lastSeenMs.delete(nodeId);
  }

  /** Merges a ring heard from a peer; persists and announces it if it is newer. */
  async adopt(remote: Ring): Promise<Ring> {
    const merged = reconcile(this.current, remote);
    if (merged !== this.current) await this.replace(merged);
    return this.current;
  }

  /** Starts gossip and liveness checks. */
  start(): void {
    const timers = this.options.scheduler ?? realScheduler;
    const every = this.options.gossipIntervalMs;
    this.timer = timers.setInterval(() => void this.tick(), every, {
      unref: true,
      label: 'gossip',
    });
    void this.tick();
  }

  stop(): void {
    (this.options.scheduler ?? realScheduler).clear(this.timer);
  }

  private async replace(ring: Ring): Promise<void> {
    this.current = ring;
    await this.store.saveRing(ring);
    for (const listener of this.listeners) listener(ring);
  }

  private peers(): string[] {
    return this.current.members.map((m) => m.nodeId).filter((id) => id !== this.nodeId);
  }

  private async tick(): Promise<void> {
    const peers = this.peers();
    await Promise.all(peers.map((peer) => this.gossipWith(peer)));
  }

  /** Push-pull: sends our ring, adopts theirs; a reply marks the peer as up. */
  private async gossipWith(peer: string): Promise<void> {
    const address = this.addressOf(peer);
    if (!address) return;
    try {
      const theirs = await peerCall<Ring>(this.options.client, address, '/gossip', {
        headers: { 'x-cairn-node': this.nodeId },
        body: this.current,
        timeoutMs: Math.max(500, this.options.downAfterMs / 2),
      });
      this.markSeen(peer);
      await this.adopt(theirs);
    } catch (error) {
      // A peer answering "stopping" is down now; one unreachable this tick is dropped by
      // upNodes() once downAfterMs has passed.
      if (error instanceof PeerError && error.status === STOPPING_STATUS) this.markDown(peer);
    }
  }

  /** Sends the current ring to every member now, so a change spreads in one round. */
  async broadcast(): Promise<void> {
    await this.tick();
  }

  // --- Claimant duties. On other nodes these are forwarded to the claimant. ---

  get isClaimant(): boolean {
    return this.current.claimant === this.nodeId;
  }

  /** The staged changes (claimant only). */
  stagedChanges(): readonly StagedChange[] {
    return this.staged;
  }

  /** Stages a change; returns an error line when it cannot be staged. */
  async stage(change: StagedChange): Promise<string | undefined> {
    const result = stageChange(this.current, this.staged, change);
    if (typeof result === 'string') return result;
    this.staged = result;
    await this.store.saveStaged(this.staged);
    return undefined;
  }

  /** What a commit would do now. */
  plan(): Plan | string {
    return planChanges(this.current, this.staged);
  }

  /** Commits the plan; returns an error line when there is nothing to commit. */
  async commit(): Promise<Plan | string> {
    const plan = this.plan();
    if (typeof plan === 'string') return plan;
    this.staged = [];
    await this.store.saveStaged(this.staged);
    await this.replace(plan.ring);
    void this.broadcast();
    return plan;
  }

  async clear(): Promise<void> {
    this.staged = [];
    await this.store.saveStaged(this.staged);
  }

  /** Flips ownership of `partition` to `to` once its transfer is done. */
  async transferComplete(partition: number, to: string): Promise<void> {
    const next = completeTransfer(this.current, partition, to);
    if (next === this.current) return;
    await this.replace(next);
    void this.broadcast();
  }

  /** Why this node may not join the cluster whose ring is `clusterRing`, if it may not. */
  joinRefusal(clusterRing: Ring): string | undefined {
    if (this.current.members.length > 1) {
      return `${this.nodeId} is already a member of a cluster of ${this.current.members.length}`;
    }
    if (clusterRing.partitionCount !== this.current.partitionCount) {
      return (
        `ring_creation_size differs: ours ${this.current.partitionCount}, ` +
        `theirs ${clusterRing.partitionCount}`
      );
    }
    if (memberOf(clusterRing, this.nodeId)) return `${this.nodeId} is already a member`;
    return undefined;
  }

  /**
   * Adopts the ring of the cluster this node is joining. What it stored alone is dropped
   * once it sees it serves none of those partitions: a node joins empty, as in Riak.
   */
  async prepareJoin(clusterRing: Ring): Promise<void> {
    await this.replace(clusterRing);
  }
}
