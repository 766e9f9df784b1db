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
