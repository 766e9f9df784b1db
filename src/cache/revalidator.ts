/**
 * Decides, for one request, whether a front end's cached users and buckets may be trusted,
 * by asking stanchion what changed since the log position the cache last saw
 * (stanchion/core/change-feed.ts) and evicting exactly that.
 *
 * Why this is never stale past one round trip: stanchion records a mutation in its feed
 * after projecting it to the ring and before answering it, and a request trusts the cache
 * only after a check that *started after the request arrived* has been applied. So any
 * revocation answered before the request was sent is known and evicted before the request
 * reads the cache, whichever front end the revocation went through. Checks are coalesced:
 * one in flight, and every request that arrives meanwhile shares the next one (joining the
 * one in flight would trust a question asked before the request arrived). In the embedded
 * store the feed is in-process, so a check costs no round trip at all.
 *
 * When stanchion cannot say (unreachable, a standby, a leader outside its lease), the
 * request is told to read the ring as it did before caching existed; checks then pause for
 * `retryMs` and resume with a background probe, so a paused stanchion never holds requests.
 * Never may it serve the cache without a fresh answer.
 */
import type { ChangeAnswer, ChangedKeys, LogPosition } from '../../stanchion/core/change-feed.js';

/** Where answers come from: the stanchion client's `changes`. */
export type ChangeSource = (from: LogPosition) => Promise<ChangeAnswer>;

/** What the revalidator evicts from. */
export interface ChangeSink {
  evict(changed: ChangedKeys): void;
  clear(): void;
}

/** Settings; times in ms of `nowMs`. */
export interface RevalidatorOptions {
  /** A clock that never jumps. */
  nowMs: () => number;
  /** How long to read the ring directly after a failed check before probing again. */
  retryMs?: number;
}

/** Answers "may this request use the cache?" with one coalesced stanchion round trip. */
export class Revalidator {
  /** Bumped whenever the known position moves: a read begun under an older one is suspect. */
  generation = 0;
  private known: LogPosition = { epoch: 0, seq: -1 };
  private inFlight: Promise<number | undefined> | undefined;
  private next: Promise<number | undefined> | undefined;
  private downUntilMs = -Infinity;
  private probing = false;
  private readonly retryMs: number;

  constructor(
    private readonly source: ChangeSource,
    private readonly sink: ChangeSink,
    private readonly options: RevalidatorOptions,
  ) {
    this.retryMs = options.retryMs ?? 1000;
  }

  /** The position the cache reflects. */
  get position(): LogPosition {
    return { ...this.known };
  }

  /**
   * Resolves with the generation the cache is valid at for a request that arrived before
   * this call, or undefined when stanchion cannot say (read the ring instead).
   */
  check(): Promise<number | undefined> {
    if (this.options.nowMs() < this.downUntilMs) return Promise.resolve(undefined);
    if (this.downUntilMs !== -Infinity) {
      this.probe();
      return Promise.resolve(undefined);
    }
    if (this.next) return this.next;
    if (!this.inFlight) return (this.inFlight = this.ask());
    const previous = this.inFlight;
    const next = previous.then(() => {
      this.next = undefined;
      return (this.inFlight = this.ask());
    });
    this.next = next;
    return next;
  }

  private probe(): void {
    if (this.probing) return;
    this.probing = true;
    void this.ask().finally(() => (this.probing = false));
  }

  private async ask(): Promise<number | undefined> {
    const from = this.known;
    try {
      const answer = await this.source(from);
      this.apply(from, answer);
      this.downUntilMs = -Infinity;
      return this.generation;
    } catch {
      this.downUntilMs = this.options.nowMs() + this.retryMs;
      return undefined;
    } finally {
      if (!this.next) this.inFlight = undefined;
    }
  }

  private apply(from: LogPosition, answer: ChangeAnswer): void {
    const { position } = answer;
    if (position.epoch < this.known.epoch) throw new Error('an older leader answered');
    const sameEpoch = position.epoch === this.known.epoch;
    if (sameEpoch && position.seq < this.known.seq) return; // an older answer, overtaken
    if ('reset' in answer || from.epoch !== this.known.epoch) {
      this.sink.clear();
    } else {
      this.sink.evict(answer.changed);
    }
    if (!sameEpoch || position.seq !== this.known.seq || 'reset' in answer) this.generation++;
    this.known = { ...position };
  }
}
