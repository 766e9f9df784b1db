/**
 * Pure helpers of the cluster phase: reading `cairn-admin member-status` and `transfers`
 * output, choosing the dev cluster's ports, and the join figures. No I/O.
 */

/** One row of the Membership table of `member-status`. */
export interface MemberRow {
  status: string;
  node: string;
  /** Ring share in percent. */
  ringPercent: number;
  /** Pending share in percent; null when the column shows `--` (nothing pending). */
  pendingPercent: number | null;
}

const MEMBER_ROW = /^(\S+)\s+([\d.]+)%\s+(--|[\d.]+%)\s+'([^']+)'\s*$/;

/** The member rows of `member-status` output (other lines are ignored). */
export function parseMemberStatus(text: string): MemberRow[] {
  const rows: MemberRow[] = [];
  for (const line of text.split('\n')) {
    const match = MEMBER_ROW.exec(line.trim());
    if (!match) continue;
    const [, status, ring, pending, node] = match;
    rows.push({
      status: status!,
      node: node!,
      ringPercent: Number(ring),
      pendingPercent: pending === '--' ? null : Number(pending!.slice(0, -1)),
    });
  }
  return rows;
}

/** True when `transfers` output reports no active transfer. */
export function transfersIdle(text: string): boolean {
  return /No transfers active/i.test(text);
}

/**
 * True when ownership converged: exactly `expectedNodes` members (when given), all valid,
 * none with a pending share, and (when given) no active transfers.
 */
export function ownershipConverged(
  memberStatus: string,
  expectedNodes?: number,
  transfers?: string,
): boolean {
  const rows = parseMemberStatus(memberStatus);
  if (rows.length === 0) return false;
  if (expectedNodes !== undefined && rows.length !== expectedNodes) return false;
  if (rows.some((row) => row.status !== 'valid' || row.pendingPercent !== null)) return false;
  return transfers === undefined || transfersIdle(transfers);
}

/**
 * The loopback ports a dev cluster of `nodes` nodes uses at base port `base`: the nodes, S3
 * and the second front end `restart s3b` starts, and both stanchions.
 */
export function clusterPorts(base: number, nodes: number): number[] {
  const ports: number[] = [];
  for (let i = 1; i <= nodes; i++) ports.push(base + i);
  ports.push(base + 80, base + 81, base + 85, base + 86);
  return ports;
}

/** A base port in 30000..59900 in steps of 100, from `random` in [0, 1). */
export function pickBasePort(random: number): number {
  const steps = 300;
  const step = Math.min(steps - 1, Math.max(0, Math.floor(random * steps)));
  return 30_000 + step * 100;
}

/**
 * Bytes moved to a joining node as a fraction of all replicas stored: `moved` over
 * `dataBytes` × `nVal`. With N nodes after the join, the ideal is 1/N.
 */
export function movedFraction(movedBytes: number, dataBytes: number, nVal: number): number {
  if (!(dataBytes > 0) || !(nVal > 0)) return Number.NaN;
  return movedBytes / (dataBytes * nVal);
}

/** The byte count of `du -sb DIR` output. */
export function parseDuBytes(text: string): number {
  const match = /^(\d+)\s/.exec(text.trim() + '\n');
  if (!match) throw new Error(`cannot read du output: ${text.slice(0, 200)}`);
  return Number(match[1]);
}
