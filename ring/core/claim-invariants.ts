/**
 * What a claimed ring must hold, as a list of broken rules: the tests and the simulation
 * check every claim with it, and the ring manager checks a ring it loads from disk or
 * receives by gossip. It encodes exactly what `claim` guarantees (see `claimSpacing`) and
 * nothing more, so it must stay in step with claim.ts and never throw on a bad ring: a
 * bad ring is an answer, not an error.
 */
import { claimSpacing, TARGET_N_VAL_DEFAULT } from './claim.js';

/** At most this many instances of one kind of violation are listed one by one. */
const LISTED_MAX = 8;

/**
 * The invariants `owners` breaks as the claim of `members` (a set: order and duplicates do
 * not matter), empty when it holds them all:
 * - Q = owners.length is a power of two from 8 to 1,024, and there is a member;
 * - every owner is a member;
 * - balance: every member owns ⌊Q/n⌋ or ⌈Q/n⌉ partitions;
 * - spacing: every `claimSpacing(Q, n, targetNVal)` consecutive partitions, wrapping
 *   round the ring, have distinct owners (targetNVal, 4 by default, once n ≥ 4).
 */
export function checkClaim(
  owners: readonly string[],
  members: readonly string[],
  targetNVal: number = TARGET_N_VAL_DEFAULT,
): string[] {
  const q = owners.length;
  if (!(q >= 8 && q <= 1024 && (q & (q - 1)) === 0)) {
    return [`partition count ${q} is not a power of two from 8 to 1024`];
  }
  const nodes = new Set(members);
  if (nodes.size === 0) return ['no members'];
  return [
    ...listed(ownersNotMembers(owners, nodes)),
    ...listed(unbalanced(owners, nodes)),
    ...listed(crowded(owners, claimSpacing(q, nodes.size, targetNVal))),
  ];
}

function listed(found: string[]): string[] {
  if (found.length <= LISTED_MAX) return found;
  return [...found.slice(0, LISTED_MAX), `… and ${found.length - LISTED_MAX} more like these`];
}

function ownersNotMembers(owners: readonly string[], nodes: ReadonlySet<string>): string[] {
  const found: string[] = [];
  owners.forEach((id, p) => {
    if (!nodes.has(id)) found.push(`partition ${p} is owned by ${id}, not a member`);
  });
  return found;
}

function unbalanced(owners: readonly string[], nodes: ReadonlySet<string>): string[] {
  const q = owners.length;
  const low = Math.floor(q / nodes.size);
  const high = Math.ceil(q / nodes.size);
  const counts = new Map<string, number>([...nodes].map((id) => [id, 0]));
  for (const id of owners) if (counts.has(id)) counts.set(id, counts.get(id)! + 1);
  const found: string[] = [];
  for (const [id, count] of counts) {
    if (count < low || count > high) {
      const share = low === high ? `${low}` : `${low} or ${high}`;
      found.push(`${id} owns ${count} partitions, not ${share} (Q=${q}, n=${nodes.size})`);
    }
  }
  return found;
}

function crowded(owners: readonly string[], spacing: number): string[] {
  const q = owners.length;
  const found: string[] = [];
  for (let p = 0; p < q; p++) {
    for (let d = 1; d < spacing; d++) {
      if (owners[p] !== owners[(p + d) % q]) continue;
      found.push(
        `partitions ${p} and ${(p + d) % q} are both on ${owners[p]}, ` +
          `within a window of ${spacing}`,
      );
    }
  }
  return found;
}
