/**
 * Cluster membership changes, staged and then committed as a plan, as riak_core does:
 * join, leave, force-remove and replace are staged; plan computes the ring they lead to
 * (by claim) and the transfers it needs; commit makes it the ring. Transfers then complete
 * one partition at a time. All pure: the claimant's shell persists, gossips and drives it.
 */
import { claim } from './claim.js';
import { bumpVersion } from './gossip.js';
import type { Member, Ring } from './ring.js';

/** A staged change. */
export type StagedChange =
  | { kind: 'join'; nodeId: string; address: string }
  | { kind: 'leave'; nodeId: string }
  | { kind: 'force-remove'; nodeId: string }
  | { kind: 'replace'; nodeId: string; by: string };

/** A partition that will move. */
export interface PlannedTransfer {
  partition: number;
  from: string;
  to: string;
}

/** What a commit would do. */
export interface Plan {
  ring: Ring;
  transfers: PlannedTransfer[];
}

/** Claim's spacing target: any 4 consecutive partitions on distinct nodes. */
export const TARGET_N_VAL = 4;

/** Adds `change` to `staged`, or says in one line why it cannot be staged. */
export function stageChange(
  ring: Ring,
  staged: readonly StagedChange[],
  change: StagedChange,
): StagedChange[] | string {
  const member = ring.members.find((m) => m.nodeId === change.nodeId);
  const already = staged.find((s) => s.nodeId === change.nodeId);
  if (already) return `${change.nodeId} already has a staged ${already.kind}`;
  switch (change.kind) {
    case 'join':
      if (member) return `${change.nodeId} is already a member of this cluster`;
      return [...staged, change];
    case 'leave':
    case 'force-remove':
      if (!member) return `${change.nodeId} is not a member of this cluster`;
      if (change.kind === 'leave' && member.status !== 'valid') {
        return `${change.nodeId} is ${member.status}, not valid`;
      }
      if (remainingAfter(ring, [...staged, change]) === 0) {
        return 'the last node of a cluster cannot leave it';
      }
      return [...staged, change];
    case 'replace': {
      if (!member) return `${change.nodeId} is not a member of this cluster`;
      const joining = staged.some((s) => s.kind === 'join' && s.nodeId === change.by);
      if (!joining) return `${change.by} must be staged to join before it can replace`;
      return [...staged, change];
    }
  }
}

function remainingAfter(ring: Ring, staged: readonly StagedChange[]): number {
  const gone = new Set(staged.filter((s) => s.kind !== 'join').map((s) => s.nodeId));
  const joining = staged.filter((s) => s.kind === 'join').length;
  return ring.members.filter((m) => m.status === 'valid' && !gone.has(m.nodeId)).length + joining;
}

/** The ring the staged changes lead to, committed by `claimant`; an error line if none. */
export function planChanges(ring: Ring, staged: readonly StagedChange[]): Plan | string {
  if (staged.length === 0) return 'there are no staged changes';
  const removed = new Set(staged.filter((s) => s.kind === 'force-remove').map((s) => s.nodeId));
  const leaving = new Set(
    staged.filter((s) => s.kind === 'leave' || s.kind === 'replace').map((s) => s.nodeId),
  );
  const members: Member[] = ring.members
    .filter((m) => !removed.has(m.nodeId))
    .map((m) => (leaving.has(m.nodeId) ? { ...m, status: 'leaving' as const } : m));
  for (const s of staged) {
    if (s.kind === 'join') members.push({ nodeId: s.nodeId, status: 'valid', address: s.address });
  }
  const future = ring.owners.map((owner, p) => ring.nextOwners[p] ?? owner);
  const target = targetOwners(future, members, staged);
  const owners = [...ring.owners];
  const nextOwners: (string | null)[] = [...ring.nextOwners];
  for (let p = 0; p < owners.length; p++) {
    if (removed.has(owners[p]!)) owners[p] = target[p]!;
    nextOwners[p] = target[p] === owners[p] ? null : target[p]!;
  }
  const claimants = members
    .filter((m) => m.status === 'valid')
    .map((m) => m.nodeId)
    .sort();
  const claimant = claimants.includes(ring.claimant) ? ring.claimant : claimants[0]!;
  const next: Ring = {
    ...ring,
    owners,
    nextOwners,
    members: members.sort((a, b) => a.nodeId.localeCompare(b.nodeId)),
    claimant,
    ...bumpVersion(ring, claimant),
  };
  return { ring: next, transfers: transfersOf(next) };
}

function targetOwners(
  future: readonly string[],
  members: readonly Member[],
  staged: readonly StagedChange[],
): string[] {
  const replacements = new Map(
    staged.flatMap((s) => (s.kind === 'replace' ? [[s.nodeId, s.by] as const] : [])),
  );
  const replaced = future.map((owner) => replacements.get(owner) ?? owner);
  const claimMembers = members.filter((m) => m.status === 'valid').map((m) => m.nodeId);
  if (replacements.size > 0 && staged.every((s) => s.kind === 'replace' || s.kind === 'join')) {
    const joinedOnlyToReplace = staged
      .filter((s) => s.kind === 'join')
      .every((j) => [...replacements.values()].includes(j.nodeId));
    if (joinedOnlyToReplace) return replaced;
  }
  return claim(replaced, claimMembers, { targetNVal: TARGET_N_VAL });
}

/** Every pending transfer of a ring. */
export function transfersOf(ring: Ring): PlannedTransfer[] {
  const transfers: PlannedTransfer[] = [];
  ring.nextOwners.forEach((to, partition) => {
    if (to !== null) transfers.push({ partition, from: ring.owners[partition]!, to });
  });
  return transfers;
}

/**
 * Ownership flips once a transfer completes; a leaving node that owns nothing any more
 * leaves the member list. Unchanged ring when the transfer is not (or no longer) pending.
 */
export function completeTransfer(ring: Ring, partition: number, to: string): Ring {
  if (ring.nextOwners[partition] !== to) return ring;
  const owners = [...ring.owners];
  const nextOwners = [...ring.nextOwners];
  owners[partition] = to;
  nextOwners[partition] = null;
  const holding = new Set([...owners, ...nextOwners.filter((n): n is string => n !== null)]);
  const members = ring.members.filter((m) => m.status !== 'leaving' || holding.has(m.nodeId));
  return { ...ring, owners, nextOwners, members, ...bumpVersion(ring, ring.claimant) };
}
