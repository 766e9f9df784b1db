/**
 * Quorum arithmetic for coordinators: given the replies so far, is the request met, still
 * pending, or failed? Pure, so the simulation and the real coordinator share it.
 */

/** Outcome of counting replies. */
export type QuorumState = 'pending' | 'met' | 'failed';

/** Counts so far for one request. */
export interface QuorumTally {
  readonly ok: number;
  readonly failed: number;
  /** Replicas asked in all. */
  readonly asked: number;
}

/** Met once `needed` replies succeeded; failed once too few replicas remain to reach it. */
export function quorumState(tally: QuorumTally, needed: number): QuorumState {
  if (tally.ok >= needed) return 'met';
  if (tally.asked - tally.failed < needed) return 'failed';
  return 'pending';
}

/** Counts of primaries among the replies, for pr and pw. */
export interface PrimaryTally {
  readonly ok: number;
  readonly failed: number;
  /** Primaries asked in all. */
  readonly asked: number;
}

/**
 * Met once `needed` replies succeeded and `primariesNeeded` of them came from primaries
 * (Riak's pr/pw: fallbacks do not count); failed once either cannot be reached any more.
 */
export function quorumStateWithPrimaries(
  tally: QuorumTally,
  needed: number,
  primaries: PrimaryTally,
  primariesNeeded: number,
): QuorumState {
  const all = quorumState(tally, needed);
  const primary = quorumState(primaries, primariesNeeded);
  if (all === 'failed' || primary === 'failed') return 'failed';
  if (all === 'met' && primary === 'met') return 'met';
  return 'pending';
}
