/**
 * The ring as an immutable value: how many partitions there are and who owns each. Only
 * pure functions build and read it; the node shell (ring-manager) persists and gossips it.
 */
import { assertPartitionCount } from './hash.js';

/** Membership status of a node, as in Riak. */
export type MemberStatus = 'joining' | 'valid' | 'leaving' | 'exiting' | 'down';

/** One member of the cluster. */
export interface Member {
  readonly nodeId: string;
  readonly status: MemberStatus;
}

/** An immutable ring: partition count, owner of each partition, members and epoch. */
export interface Ring {
  readonly partitionCount: number;
  /** owners[p] is the node id that owns partition p. */
  readonly owners: readonly string[];
  readonly members: readonly Member[];
  /** The ring generation; grows with every committed change. */
  readonly epoch: number;
}

/** A ring where one node owns every partition: the embedded store and a new cluster. */
export function singleNodeRing(nodeId: string, partitionCount: number): Ring {
  assertPartitionCount(partitionCount);
  return {
    partitionCount,
    owners: Array.from({ length: partitionCount }, () => nodeId),
    members: [{ nodeId, status: 'valid' }],
    epoch: 1,
  };
}

/** Every invariant a ring must hold; throws with the first one broken. */
export function checkRing(ring: Ring): void {
  assertPartitionCount(ring.partitionCount);
  if (ring.owners.length !== ring.partitionCount) {
    throw new Error(`ring has ${ring.owners.length} owners for ${ring.partitionCount} partitions`);
  }
  const memberIds = new Set(ring.members.map((m) => m.nodeId));
  for (const [p, owner] of ring.owners.entries()) {
    if (!memberIds.has(owner)) throw new Error(`partition ${p} owned by non-member ${owner}`);
  }
}
