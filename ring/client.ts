/**
 * The typed client every other program uses to reach the ring: it hashes a key to its
 * partition, finds the preference list, and reads and writes at quorum. Mutable values are
 * versioned: a write goes to one replica that records it with its own dot and replicates
 * the result; a read merges the replicas' states, repairs the stale ones, and resolves
 * siblings with the keyspace's resolver. The S3 front end and stanchion see only this.
 */
import { contextOf, sync, type VersionVector } from './core/dvv.js';
import { keyBytes, partitionOf, ringIndex, type KeyPart } from './core/hash.js';
import { preferenceList, type PreflistEntry } from './core/preflist.js';
import type { Ring } from './core/ring.js';
import { fanOut, RingDiskFullError, routedTo, StaleRingError, type EntryReply } from './fan-out.js';
import { isVersioned } from './keyspaces.js';
import { dominates, emptyVersioned } from './core/dvv.js';
import { decodeVersioned } from './transport/versioned-codec.js';
import type { ItemRef, NodeRequest, WireVersioned } from './transport/messages.js';
import { NodeUnreachableError, type Transport } from './transport/transport.js';

export { RingDiskFullError, RingUnavailableError } from './fan-out.js';
import { RingUnavailableError } from './fan-out.js';

/** Replication settings (Riak's N, R, W, PR, PW); set per cluster, overridable per request. */
export interface Quorum {
  nVal: number;
  r: number;
  w: number;
  /** Replies a read needs from primaries (fallbacks do not count); 0 by default. */
  pr?: number;
  /** Acknowledgements a write needs from primaries; 0 by default. */
  pw?: number;
}

/** Throws unless every count is a whole number from 0 (1 for r, w) to n_val. */
export function checkQuorum(quorum: Quorum): void {
  const { nVal, r, w, pr = 0, pw = 0 } = quorum;
  const ok = (n: number, min: number) => Number.isInteger(n) && n >= min && n <= nVal;
  if (!Number.isInteger(nVal) || nVal < 1 || !ok(r, 1) || !ok(w, 1) || !ok(pr, 0) || !ok(pw, 0)) {
    throw new RangeError(`invalid quorum: ${JSON.stringify(quorum)} (each must be ≤ n_val)`);
  }
}

/** Picks the value the S3 view shows among concurrent siblings (never called with one). */
export type Resolver = (values: Buffer[]) => Buffer;

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
  /** Told of every replica repair a read sends (for metrics); must be cheap. */
  onRepair?: (nodeId: string) => void;
  /** Sibling resolution per keyspace; the default picks the greatest bytes (deterministic). */
  resolvers?: Readonly<Record<string, Resolver>>;
}

/** One item of a range read. */
export interface RingItem {
  sk: Buffer;
  value: Buffer;
}

/** A versioned read: the live sibling values and the context to write back with. */
export interface VersionedRead {
  values: Buffer[];
  context: VersionVector;
  state: WireVersioned;
}

const defaultResolver: Resolver = (values) => [...values].sort(Buffer.compare).at(-1)!;

/** Live (non-tombstone) values of a state. */
export function liveValues(state: WireVersioned): Buffer[] {
  return state.siblings.flatMap((s) => (s.value === null ? [] : [s.value]));
}

/** Reads and writes items on the ring. */
export class RingClient {
  constructor(private readonly deps: RingClientDeps) {
    checkQuorum(deps.quorum);
  }

  /** The same client with some quorum settings overridden, for one request or a caller. */
  withQuorum(overrides: Partial<Quorum>): RingClient {
    return new RingClient({ ...this.deps, quorum: { ...this.deps.quorum, ...overrides } });
  }

  /** The value at (keyspace, pk, sk), siblings resolved, or undefined. */
  async get(keyspace: string, pk: KeyPart, sk: KeyPart = ''): Promise<Buffer | undefined> {
    if (!isVersioned(keyspace)) return this.withFreshRing(() => this.getRaw(keyspace, pk, sk));
    const { values } = await this.getVersioned(keyspace, pk, sk);
    return this.resolve(keyspace, values);
  }

  /**
   * The value of an unversioned item that passes `accept` (an object block of the length its
   * manifest says), or undefined when no replica that answered has one. A replica's short or
   * torn copy is passed over for another replica's: every replica is asked before giving up.
   */
  getAccepted(
    keyspace: string,
    pk: KeyPart,
    sk: KeyPart,
    accept: (value: Buffer) => boolean,
  ): Promise<Buffer | undefined> {
    return this.withFreshRing(() => this.getRaw(keyspace, pk, sk, accept));
  }

  /** Every live sibling at (keyspace, pk, sk) and the context that covers them. */
  getVersioned(keyspace: string, pk: KeyPart, sk: KeyPart = ''): Promise<VersionedRead> {
    return this.withFreshRing(async () => {
      const { entries, item } = this.locate(keyspace, pk, sk);
      const request: NodeRequest = { op: 'get', item };
      const pr = this.deps.quorum.pr ?? 0;
      // As Riak CS reads with notfound_ok=false: R not-found replies (a fallback standing in
      // for a dead primary, a replica that missed the write) are not an answer while a
      // replica that may hold the value has yet to reply.
      const replies = await fanOut(this.deps, entries, request, this.r, anyHasValue, pr);
      const state = this.mergeAndRepair(replies, item);
      return { values: liveValues(state), context: contextOf(state), state };
    });
  }

  /** Stores a value over whatever is there now; resolves once W replicas have it. */
  async put(keyspace: string, pk: KeyPart, sk: KeyPart, value: Buffer): Promise<void> {
    if (!isVersioned(keyspace)) {
      const request = (item: NodeRequest & { op: 'get' }) =>
        ({ op: 'put', item: item.item, value }) as NodeRequest;
      return this.withFreshRing(() => this.writeRaw(keyspace, pk, sk, request));
    }
    const { context } = await this.getVersioned(keyspace, pk, sk);
    await this.putVersioned(keyspace, pk, sk, value, context);
  }

  /** Removes an item (a tombstone for versioned keyspaces); resolves once W have it. */
  async delete(keyspace: string, pk: KeyPart, sk: KeyPart = ''): Promise<void> {
    if (!isVersioned(keyspace)) {
      const request = (item: NodeRequest & { op: 'get' }) =>
        ({ op: 'delete', item: item.item }) as NodeRequest;
      return this.withFreshRing(() => this.writeRaw(keyspace, pk, sk, request));
    }
    const { context, state } = await this.getVersioned(keyspace, pk, sk);
    if (state.siblings.length === 0) return;
    await this.putVersioned(keyspace, pk, sk, null, context);
  }

  /**
   * Writes `value` (null: a tombstone) made with `context`: one replica records it as the
   * actor and replicates; a sibling appears if someone else wrote concurrently.
   */
  putVersioned(
    keyspace: string,
    pk: KeyPart,
    sk: KeyPart,
    value: Buffer | null,
    context: VersionVector,
  ): Promise<WireVersioned> {
    return this.withFreshRing(async () => {
      const { entries, item } = this.locate(keyspace, pk, sk);
      return this.coordinate(entries, item, value, context);
    });
  }

  /** Items of one partition key in sort-key order, after `after`, starting with `prefix`. */
  scan(
    keyspace: string,
    pk: KeyPart,
    options: { after?: Buffer; prefix?: Buffer; limit: number },
  ): Promise<RingItem[]> {
    return this.withFreshRing(() => this.scanLive(keyspace, pk, options));
  }

  /**
   * The partition keys of `keyspace` whose primary partition is `partition`, in order,
   * after `after` (then `next` says where the next page starts), as the partition's owner
   * holds them: each key is listed once, at its primary; a key its owner lacks is found
   * again once anti-entropy restores it. A background sweeper's walk; no request uses it.
   */
  partitionKeys(
    keyspace: string,
    partition: number,
    options: { after?: Buffer; limit: number },
  ): Promise<{ keys: Buffer[]; next?: Buffer }> {
    return this.withFreshRing(async () => {
      const ring = this.deps.ring();
      const entry = { nodeId: ring.owners[partition]!, partition };
      const item = { partition, keyspace, pk: Buffer.alloc(0) };
      const request: NodeRequest = { op: 'keys', item, after: options.after, limit: options.limit };
      const [answer] = await fanOut(this.deps, [entry], request, 1);
      const raw = answer && 'items' in answer.reply ? answer.reply.items.map((i) => i.sk) : [];
      const keys = raw.filter(
        (pk) => partitionOf(ringIndex(keyspace, pk), ring.partitionCount) === partition,
      );
      // Paging goes on from the last key the owner sent, kept or not.
      return raw.length < options.limit ? { keys } : { keys, next: raw.at(-1)! };
    });
  }

  /** The ring as this client knows it, and the nodes it takes for up (for diagnostics). */
  view(): { ring: Ring; upNodes: string[] } {
    return { ring: this.deps.ring(), upNodes: [...this.deps.upNodes()] };
  }

  /** The ring's partition count (for walks over every partition). */
  get partitionCount(): number {
    return this.deps.ring().partitionCount;
  }

  private get r(): number {
    return this.deps.quorum.r;
  }

  private resolve(keyspace: string, values: Buffer[]): Buffer | undefined {
    if (values.length <= 1) return values[0];
    return (this.deps.resolvers?.[keyspace] ?? defaultResolver)(values);
  }

  /** The first value a replica holds that passes `accept` (any value by default). */
  private async getRaw(
    keyspace: string,
    pk: KeyPart,
    sk: KeyPart,
    accept: (value: Buffer) => boolean = () => true,
  ) {
    const { entries, item } = this.locate(keyspace, pk, sk);
    // R not-found replies are not trusted while a replica that may hold the value (one that
    // missed a write, or was just handed a partition) has yet to answer.
    const pr = this.deps.quorum.pr ?? 0;
    const request: NodeRequest = { op: 'get', item };
    const good = (replies: EntryReply[]) =>
      replies.find((r) => 'value' in r.reply && r.reply.value && accept(r.reply.value));
    const replies = await fanOut(this.deps, entries, request, this.r, (rs) => !!good(rs), pr);
    const found = good(replies)?.reply;
    return found && 'value' in found ? found.value : undefined;
  }

  private async writeRaw(
    keyspace: string,
    pk: KeyPart,
    sk: KeyPart,
    request: (get: NodeRequest & { op: 'get' }) => NodeRequest,
  ): Promise<void> {
    const { entries, item } = this.locate(keyspace, pk, sk);
    const { w, pw = 0 } = this.deps.quorum;
    await fanOut(this.deps, entries, request({ op: 'get', item }), w, undefined, pw);
  }

  /** Merges the replies' states; sends the merged state to replicas that lacked it. */
  private mergeAndRepair(replies: EntryReply[], item: ItemRef) {
    const states = replies.map(({ entry, reply }) => ({
      entry,
      state:
        'value' in reply && reply.value
          ? decodeVersioned(reply.value)
          : emptyVersioned<Buffer | null>(),
    }));
    const merged = states.reduce<WireVersioned>(
      (acc, s) => sync(acc, s.state),
      emptyVersioned<Buffer | null>(),
    );
    for (const { entry, state } of states) {
      if (dominates(state, merged)) continue;
      const repair: NodeRequest = { op: 'merge', item, state: merged };
      const options = { timeoutMs: this.deps.timeoutMs };
      this.deps.onRepair?.(entry.nodeId);
      this.deps.transport.call(entry.nodeId, routedTo(entry, repair), options).catch(() => {
        // Best effort: anti-entropy repairs what read repair could not.
      });
    }
    return merged;
  }

  /** Tries each entry in turn as the coordinator, the others as its replicas. */
  private async coordinate(
    entries: PreflistEntry[],
    item: ItemRef,
    value: Buffer | null,
    context: VersionVector,
  ): Promise<WireVersioned> {
    const errors: string[] = [];
    let diskFull = false;
    for (const [i, coordinator] of entries.entries()) {
      const replicas = entries
        .filter((_, j) => j !== i)
        .map((e) => ({ nodeId: e.nodeId, partition: e.partition, fallback: !!e.fallbackFor }));
      const request: NodeRequest = {
        op: 'coordinate',
        item,
        value,
        context,
        replicas,
        w: this.deps.quorum.w,
        pw: this.deps.quorum.pw ?? 0,
        coordinatorIsPrimary: coordinator.fallbackFor === undefined,
        timeoutMs: this.deps.timeoutMs,
      };
      try {
        const reply = await this.deps.transport.call(
          coordinator.nodeId,
          routedTo(coordinator, request),
          { timeoutMs: this.deps.timeoutMs * 2 },
        );
        if (reply.ok && 'value' in reply && reply.value) return decodeVersioned(reply.value);
        if (!reply.ok && reply.kind === 'wrong-owner') throw new StaleRingError(reply.error);
        errors.push(`${coordinator.nodeId}: ${reply.ok ? 'no state' : reply.error}`);
        // A coordinator whose disk is full refused before applying: the next may take it.
        diskFull ||= !reply.ok && reply.kind === 'disk-full';
        if (!reply.ok && /not met/.test(reply.error)) break;
      } catch (error) {
        if (error instanceof StaleRingError) throw error;
        this.deps.onUnreachable?.(coordinator.nodeId);
        errors.push(`${coordinator.nodeId}: ${String(error)}`);
        // A coordinator that may have applied the write must not be followed by another:
        // the write would exist twice, and a later delete could cover only one of them.
        if (!(error instanceof NodeUnreachableError) || error.maybeDelivered) break;
      }
    }
    const detail = `write not coordinated: ${errors.join('; ')}`;
    throw diskFull ? new RingDiskFullError(detail) : new RingUnavailableError(detail);
  }

  /** A scan that skips tombstones and keeps reading until `limit` live items or the end. */
  private async scanLive(
    keyspace: string,
    pk: KeyPart,
    options: { after?: Buffer; prefix?: Buffer; limit: number },
  ): Promise<RingItem[]> {
    const { entries, partition } = this.locate(keyspace, pk, '');
    const base = { partition, keyspace, pk: keyBytes(pk) };
    const items: RingItem[] = [];
    let after = options.after;
    for (;;) {
      const want = options.limit - items.length;
      const request: NodeRequest = {
        op: 'scan',
        item: base,
        after,
        prefix: options.prefix,
        limit: want,
      };
      const replies = await fanOut(this.deps, entries, request, this.r);
      const page = this.mergeScan(keyspace, replies);
      items.push(...page.live);
      if (page.rawCount < want || items.length >= options.limit || !page.last) return items;
      after = page.last;
    }
  }

  private mergeScan(keyspace: string, replies: EntryReply[]) {
    const versioned = isVersioned(keyspace);
    const byKey = new Map<string, { sk: Buffer; state?: WireVersioned; raw?: Buffer }>();
    let rawCount = 0;
    let last: Buffer | undefined;
    for (const { reply } of replies) {
      if (!('items' in reply)) continue;
      rawCount = Math.max(rawCount, reply.items.length);
      for (const item of reply.items) {
        const id = item.sk.toString('hex');
        const known = byKey.get(id) ?? { sk: item.sk };
        if (versioned)
          known.state = sync(
            known.state ?? emptyVersioned<Buffer | null>(),
            decodeVersioned(item.value),
          );
        else known.raw = item.value;
        byKey.set(id, known);
        if (!last || Buffer.compare(item.sk, last) > 0) last = item.sk;
      }
    }
    const sorted = [...byKey.values()].sort((a, b) => Buffer.compare(a.sk, b.sk));
    const live = sorted.flatMap(({ sk, state, raw }) => {
      const value = versioned ? this.resolve(keyspace, liveValues(state!)) : raw;
      return value ? [{ sk, value }] : [];
    });
    return { live, rawCount, last };
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

  private locate(keyspace: string, pk: KeyPart, sk: KeyPart) {
    const ring = this.deps.ring();
    const partition = partitionOf(ringIndex(keyspace, pk), ring.partitionCount);
    let entries = preferenceList(ring, partition, this.deps.quorum.nVal, this.deps.upNodes());
    const needed = Math.max(this.deps.quorum.r, this.deps.quorum.w);
    if (entries.length < needed) {
      // Our liveness view may lag (a loaded machine, a node just back): rather than fail at
      // once, ask the primaries themselves; calls that fail are counted as failures.
      const everyone = new Set(ring.members.map((m) => m.nodeId));
      entries = preferenceList(ring, partition, this.deps.quorum.nVal, everyone);
    }
    const item = { partition, keyspace, pk: keyBytes(pk), sk: keyBytes(sk) };
    return { partition, entries, item };
  }
}

/** Whether any reply holds a value (a not-found reply has none). */
function anyHasValue(replies: EntryReply[]): boolean {
  return replies.some((r) => 'value' in r.reply && r.reply.value !== undefined);
}
