/**
 * The ring as an immutable value: how many partitions there are, who owns each, who will
 * own it once a pending transfer completes, the members and their addresses, and the
 * version of this state. Only pure functions build and read it; the node shell
 * (ring-manager) persists and gossips it.
 */
import { assertPartitionCount } from './hash.js';

/** Membership status of a node, as in Riak. */
export type MemberStatus = 'joining' | 'valid' | 'leaving' | 'exiting' | 'down';

/** One member of the cluster. */
export interface Member {
  readonly nodeId: string;
  readonly status: MemberStatus;
  /** host:port of the node's RPC and admin interface; empty for the embedded store. */
  readonly address: string;
}

/** An immutable ring. */
export interface Ring {
  readonly partitionCount: number;
  /** owners[p] is the node that owns partition p. */
  readonly owners: readonly string[];
  /** nextOwners[p] is the node p is being handed to, or null when p is not moving. */
  readonly nextOwners: readonly (string | null)[];
  readonly members: readonly Member[];
  /** The one node that computes and commits ring changes. */
  readonly claimant: string;
  /** The ring generation; grows with every committed change. */
  readonly epoch: number;
  /** Version vector of ring changes, one counter per claimant that made them. */
  readonly vclock: Readonly<Record<string, number>>;
}

/** A ring where one node owns every partition: the embedded store and a new cluster. */
export function singleNodeRing(nodeId: string, partitionCount: number, address = ''): Ring {
  assertPartitionCount(partitionCount);
  return {
    partitionCount,
    owners: Array.from({ length: partitionCount }, () => nodeId),
    nextOwners: Array.from({ length: partitionCount }, () => null),
    members: [{ nodeId, status: 'valid', address }],
    claimant: nodeId,
    epoch: 1,
    vclock: { [nodeId]: 1 },
  };
}

/** The member record of `nodeId`, if it is a member. */
export function memberOf(ring: Ring, nodeId: string): Member | undefined {
  return ring.members.find((m) => m.nodeId === nodeId);
}

/** Every invariant a ring must hold; throws with the first one broken. */
export function checkRing(ring: Ring): void {
  assertPartitionCount(ring.partitionCount);
  if (ring.owners.length !== ring.partitionCount) {
    throw new Error(`ring has ${ring.owners.length} owners for ${ring.partitionCount} partitions`);
  }
  if (ring.nextOwners.length !== ring.partitionCount) {
    throw new Error(`ring has ${ring.nextOwners.length} next owners`);
  }
  const memberIds = new Set(ring.members.map((m) => m.nodeId));
  for (const [p, owner] of ring.owners.entries()) {
    if (!memberIds.has(owner)) throw new Error(`partition ${p} owned by non-member ${owner}`);
    const next = ring.nextOwners[p];
    if (next != null && !memberIds.has(next)) {
      throw new Error(`partition ${p} moving to non-member ${next}`);
    }
  }
  if (!memberIds.has(ring.claimant)) throw new Error(`claimant ${ring.claimant} not a member`);
}
