/**
 * The handoff work list between two rings: which partitions change owner, from whom and
 * to whom. It exists so that the claimant's `cluster plan` output, the rebalancer and the
 * claim figures all count transfers the same way. It only compares owner arrays; it
 * never decides ownership (that is claim.ts) and never schedules or runs a transfer
 * (that is the node shell's handoff).
 */

/** One partition whose data must move: `from` hands it off to `to`. */
export interface Transfer {
  readonly partition: number;
  readonly from: string;
  readonly to: string;
}

/**
 * One transfer per partition whose owner differs between `oldOwners` and `newOwners`,
 * in partition order. `from` may be a node that is leaving or has left the cluster.
 * Throws if the two rings have different partition counts (that is a resize, not a plan).
 */
export function planTransfers(
  oldOwners: readonly string[],
  newOwners: readonly string[],
): Transfer[] {
  if (oldOwners.length !== newOwners.length) {
    throw new RangeError(
      `cannot plan transfers between rings of ${oldOwners.length} and ` +
        `${newOwners.length} partitions`,
    );
  }
  const transfers: Transfer[] = [];
  oldOwners.forEach((from, partition) => {
    const to = newOwners[partition]!;
    if (from !== to) transfers.push({ partition, from, to });
  });
  return transfers;
}
