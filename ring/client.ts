/**
 * The typed client every other program uses to reach the ring: it hashes a key to its
 * partition, finds the preference list, fans the request out and answers at quorum. The
 * S3 front end and stanchion see only this; they never touch a node or a disk.
 */
import { keyBytes, partitionOf, ringIndex, type KeyPart } from './core/hash.js';
import { preferenceList, type PreflistEntry } from './core/preflist.js';
import { quorumState } from './core/quorum.js';
import type { Ring } from './core/ring.js';
import type { NodeReply, NodeRequest } from './transport/messages.js';
import type { Transport } from './transport/transport.js';

/** Raised when too few replicas answered: the S3 layer turns it into 503. */
export class RingUnavailableError extends Error {
  readonly code = 'RING_UNAVAILABLE';
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`ring unavailable: ${detail}`, options);
  }
}

/** Replication settings per request (Riak's N, R, W). */
export interface Quorum {
  nVal: number;
  r: number;
  w: number;
}

/** What the client needs from its world. */
export interface RingClientDeps {
  ring: () => Ring;
  upNodes: () => ReadonlySet<string>;
  transport: Transport;
  quorum: Quorum;
  timeoutMs: number;
  /** Fetches a newer ring after a node said ours is stale; absent for a static ring. */
  refreshRing?: () => Promise<void>;
  /** Told of every node that failed to answer, so liveness can route around it. */
  onUnreachable?: (nodeId: string) => void;
}

/** Raised inside fanOut when a node says our ring is stale. */
class StaleRingError extends RingUnavailableError {}

/** One item of a range read. */
export interface RingItem {
  sk: Buffer;
  value: Buffer;
}

/** Reads and writes items on the ring. */
export class RingClient {
  constructor(private readonly deps: RingClientDeps) {}

  /** The value at (keyspace, pk, sk), or undefined. */
  get(keyspace: string, pk: KeyPart, sk: KeyPart = ''): Promise<Buffer | undefined> {
    return this.withFreshRing(() => this.getOnce(keyspace, pk, sk));
  }

  private async getOnce(keyspace: string, pk: KeyPart, sk: KeyPart) {
    const { entries, partition } = this.locate(keyspace, pk);
    const item = { partition, keyspace, pk: keyBytes(pk), sk: keyBytes(sk) };
    // R not-found replies are not trusted while a replica that may hold the value (one that
    // missed a write, or was just handed a partition) has yet to answer.
    const hasValue = (replies: NodeReply[]) => replies.some((r) => 'value' in r && r.value);
    const replies = await this.fanOut(entries, { op: 'get', item }, this.deps.quorum.r, hasValue);
    for (const reply of replies) if ('value' in reply && reply.value) return reply.value;
    return undefined;
  }

  /** Stores a value; resolves once W replicas have it durably. */
  put(keyspace: string, pk: KeyPart, sk: KeyPart, value: Buffer): Promise<void> {
    return this.withFreshRing(() => this.putOnce(keyspace, pk, sk, value));
  }

  private async putOnce(keyspace: string, pk: KeyPart, sk: KeyPart, value: Buffer) {
    const { entries, partition } = this.locate(keyspace, pk);
    const item = { partition, keyspace, pk: keyBytes(pk), sk: keyBytes(sk) };
    await this.fanOut(entries, { op: 'put', item, value }, this.deps.quorum.w);
  }

  /** Removes an item; resolves once W replicas have removed it. */
  delete(keyspace: string, pk: KeyPart, sk: KeyPart = ''): Promise<void> {
    return this.withFreshRing(() => this.deleteOnce(keyspace, pk, sk));
  }

  private async deleteOnce(keyspace: string, pk: KeyPart, sk: KeyPart) {
    const { entries, partition } = this.locate(keyspace, pk);
    const item = { partition, keyspace, pk: keyBytes(pk), sk: keyBytes(sk) };
    await this.fanOut(entries, { op: 'delete', item }, this.deps.quorum.w);
  }

  /** Items of one partition key in sort-key order, after `after`, starting with `prefix`. */
  scan(
    keyspace: string,
    pk: KeyPart,
    options: { after?: Buffer; prefix?: Buffer; limit: number },
  ): Promise<RingItem[]> {
    return this.withFreshRing(() => this.scanOnce(keyspace, pk, options));
  }

  private async scanOnce(
    keyspace: string,
    pk: KeyPart,
    options: { after?: Buffer; prefix?: Buffer; limit: number },
  ): Promise<RingItem[]> {
    const { entries, partition } = this.locate(keyspace, pk);
    const item = { partition, keyspace, pk: keyBytes(pk) };
    const request: NodeRequest = { op: 'scan', item, ...options };
    const replies = await this.fanOut(entries, request, this.deps.quorum.r);
    const first = replies.find((reply) => 'items' in reply);
    return first && 'items' in first ? first.items : [];
  }

  /** Runs `attempt`; if a node said our ring is stale, refreshes it and tries again. */
  private async withFreshRing<T>(attempt: () => Promise<T>): Promise<T> {
    const refresh = this.deps.refreshRing;
    for (let tries = 0; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof StaleRingError) || !refresh || tries >= 3) throw error;
        await refresh();
      }
    }
  }

  private locate(keyspace: string, pk: KeyPart) {
    const ring = this.deps.ring();
    const partition = partitionOf(ringIndex(keyspace, pk), ring.partitionCount);
    const entries = preferenceList(ring, partition, this.deps.quorum.nVal, this.deps.upNodes());
    return { partition, entries };
  }

  /**
   * Sends `request` to every entry (each with its own partition) and resolves with the
   * successful replies once `needed` have succeeded and `enough` holds of them (or every
   * entry has answered); rejects once the quorum cannot be met.
   */
  private fanOut(
    entries: PreflistEntry[],
    request: NodeRequest,
    needed: number,
    enough: (replies: NodeReply[]) => boolean = () => true,
  ) {
    return new Promise<NodeReply[]>((resolve, reject) => {
      const replies: NodeReply[] = [];
      const errors: string[] = [];
      let stale = false;
      let settled = false;
      const check = () => {
        if (settled) return;
        const tally = { ok: replies.length, failed: errors.length, asked: entries.length };
        const state = quorumState(tally, needed);
        if (state === 'pending') return;
        const allIn = replies.length + errors.length === entries.length;
        if (state === 'met' && !enough(replies) && !allIn) return;
        settled = true;
        if (state === 'met') return resolve(replies);
        const detail = `${replies.length}/${needed} replies: ${errors.join('; ')}`;
        reject(stale ? new StaleRingError(detail) : new RingUnavailableError(detail));
      };
      for (const entry of entries) {
        this.callOne(entry, request).then(
          (reply) => {
            if (reply.ok) replies.push(reply);
            else {
              stale ||= reply.kind === 'wrong-owner';
              errors.push(`${entry.nodeId}: ${reply.error}`);
            }
            check();
          },
          (error: unknown) => {
            this.deps.onUnreachable?.(entry.nodeId);
            errors.push(`${entry.nodeId}: ${String(error)}`);
            check();
          },
        );
      }
      check();
    });
  }

  private callOne(entry: PreflistEntry, request: NodeRequest): Promise<NodeReply> {
    const routed =
      'item' in request
        ? {
            ...request,
            item: { ...request.item, partition: entry.partition },
            ...(entry.fallbackFor ? { fallback: true } : {}),
          }
        : request;
    return this.deps.transport.call(entry.nodeId, routed as NodeRequest, {
      timeoutMs: this.deps.timeoutMs,
    });
  }
}
