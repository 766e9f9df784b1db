/**
 * Failed console sign-ins, limited per client address and per access key so that nobody can
 * guess secrets at the speed of the network. Each address may fail `perAddress` times in a
 * sliding window, after which every sign-in from it is refused until its oldest counted
 * failure leaves the window; each access key may fail `perKey` times in the window from all
 * addresses together (a guesser spread over many addresses), after which that key is refused
 * from everywhere. The per-key limit is deliberately looser than the per-address one: a
 * per-key lock is what someone elsewhere can inflict on the key's owner, so it takes several
 * addresses' worth of failures and lasts only while they keep failing. Memory is bounded
 * (least recently failed entries go first). Pure: the clock is passed in.
 */
import { LRUCache } from 'lru-cache';

/** How sign-ins are limited. */
export interface SignInLimits {
  clock: () => number;
  /** The sliding window failures are counted in, in ms. */
  windowMs: number;
  /** Failures one address may make in the window (over every key). */
  perAddress: number;
  /** Failures one access key may have in the window (over every address). */
  perKey: number;
  /** Addresses and keys remembered at most, each. */
  entriesMax: number;
}

/** Why a sign-in is refused before its keys are checked, and for how long. */
export interface SignInRefusal {
  reason: 'address' | 'key';
  retryAfterMs: number;
}

/** The failed sign-ins of one front end (an instance per server, never a module global). */
export class SignInLimiter {
  readonly #byAddress: LRUCache<string, number[]>;
  readonly #byKey: LRUCache<string, number[]>;

  constructor(private readonly limits: SignInLimits) {
    this.#byAddress = new LRUCache({ max: limits.entriesMax });
    this.#byKey = new LRUCache({ max: limits.entriesMax });
  }

  /** Whether a sign-in from `address` with `keyId` must be refused now, and until when. */
  check(address: string, keyId: string): SignInRefusal | undefined {
    const now = this.limits.clock();
    const byAddress = this.#wait(this.#byAddress, address, this.limits.perAddress, now);
    if (byAddress > 0) return { reason: 'address', retryAfterMs: byAddress };
    const byKey = this.#wait(this.#byKey, keyId, this.limits.perKey, now);
    if (byKey > 0) return { reason: 'key', retryAfterMs: byKey };
    return undefined;
  }

  /** Counts a failed sign-in (wrong keys) from `address` with `keyId`. */
  failed(address: string, keyId: string): void {
    const now = this.limits.clock();
    this.#count(this.#byAddress, address, this.limits.perAddress, now);
    this.#count(this.#byKey, keyId, this.limits.perKey, now);
  }

  /** Failures counted in the window for an address (for tests and status). */
  failuresOf(address: string): number {
    return this.#recent(this.#byAddress, address, this.limits.clock()).length;
  }

  /** The failures of `id` still inside the window. */
  #recent(cache: LRUCache<string, number[]>, id: string, now: number): number[] {
    const times = cache.peek(id) ?? [];
    return times.filter((t) => t > now - this.limits.windowMs);
  }

  /** Ms until `id` may try again (0: now), once it has `limit` failures in the window. */
  #wait(cache: LRUCache<string, number[]>, id: string, limit: number, now: number): number {
    const recent = this.#recent(cache, id, now);
    if (recent.length < limit) return 0;
    // The oldest failure that keeps the count at the limit must leave the window first.
    return recent[recent.length - limit]! + this.limits.windowMs - now;
  }

  #count(cache: LRUCache<string, number[]>, id: string, limit: number, now: number): void {
    // Only the last `limit` failures can matter: older ones are dropped, so each entry is small.
    const recent = [...this.#recent(cache, id, now), now].slice(-limit);
    cache.set(id, recent);
  }
}
