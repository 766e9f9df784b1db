/**
 * Reconciling two copies of the ring state. Only a claimant changes the ring, and each
 * change bumps its counter in the ring's version vector, so a copy whose vector descends
 * the other's is newer. Two concurrent copies (two claimants on either side of a partition)
 * are resolved deterministically: higher epoch, then the claimant's name, so every node
 * picks the same winner. reconcile is commutative, associative and idempotent.
 */
import type { Ring } from './ring.js';

/** Whether version vector `a` has seen every event `b` has. */
export function descends(
  a: Readonly<Record<string, number>>,
  b: Readonly<Record<string, number>>,
): boolean {
  return Object.entries(b).every(([actor, count]) => (a[actor] ?? 0) >= count);
}

/** The newer of two ring states, by the rules above. */
export function reconcile(local: Ring, remote: Ring): Ring {
  const localNewer = descends(local.vclock, remote.vclock);
  const remoteNewer = descends(remote.vclock, local.vclock);
  if (localNewer && !remoteNewer) return local;
  if (remoteNewer && !localNewer) return remote;
  if (local.epoch !== remote.epoch) return local.epoch > remote.epoch ? local : remote;
  if (local.claimant !== remote.claimant) return local.claimant > remote.claimant ? local : remote;
  return JSON.stringify(local) >= JSON.stringify(remote) ? local : remote;
}

/** The next version of a ring changed by `claimant`. */
export function bumpVersion(ring: Ring, claimant: string): Pick<Ring, 'epoch' | 'vclock'> {
  return {
    epoch: ring.epoch + 1,
    vclock: { ...ring.vclock, [claimant]: (ring.vclock[claimant] ?? 0) + 1 },
  };
}
