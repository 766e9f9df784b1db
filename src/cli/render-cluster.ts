/**
 * Renders cluster state the way riak-admin printed it (member-status, cluster plan,
 * ring-status, transfers), from plain data, so the layout is unit-tested as text.
 */
import type { PlannedTransfer, StagedChange } from '../../ring/core/membership.js';
import type { Ring } from '../../ring/core/ring.js';
import type { TransferStatus } from '../../ring/node/handoff.js';
import { fromLegacyStatus, renderTransfers, waitingOwnership } from './render-transfers.js';

const RULE = '-'.repeat(79);

/** A title line centred in '=' like riak-admin's. */
export function banner(title: string): string {
  const text = ` ${title} `;
  const left = Math.floor((79 - text.length) / 2);
  return '='.repeat(left) + text + '='.repeat(79 - left - text.length);
}

function percent(count: number, total: number): string {
  return `${((100 * count) / total).toFixed(1)}%`;
}

/** Rows of the Membership table: members, then staged joiners. */
export function membershipTable(
  ring: Ring,
  upNodes: ReadonlySet<string>,
  joining: readonly string[] = [],
): string {
  const q = ring.partitionCount;
  const owned = (id: string) => ring.owners.filter((o) => o === id).length;
  const future = (id: string) =>
    ring.owners.filter((o, p) => (ring.nextOwners[p] ?? o) === id).length;
  const pending = ring.nextOwners.some((n) => n !== null);
  const counts = { valid: 0, leaving: 0, exiting: 0, joining: 0, down: 0 };
  const rows = ring.members.map((m) => {
    const status = upNodes.has(m.nodeId) ? m.status : 'down';
    counts[status] += 1;
    const pend = pending ? percent(future(m.nodeId), q) : '--';
    return (
      `${status.padEnd(8)}${percent(owned(m.nodeId), q).padStart(7)}` +
      `${pend.padStart(11)}    '${m.nodeId}'`
    );
  });
  for (const id of joining) {
    counts.joining += 1;
    rows.push(`${'joining'.padEnd(8)}${'0.0%'.padStart(7)}${'--'.padStart(11)}    '${id}'`);
  }
  return [
    banner('Membership'),
    'Status     Ring    Pending    Node',
    RULE,
    ...rows,
    RULE,
    `Valid:${counts.valid} / Leaving:${counts.leaving} / Exiting:${counts.exiting} / ` +
      `Joining:${counts.joining} / Down:${counts.down}`,
  ].join('\n');
}

/** `cluster plan`: the staged actions, the resulting membership and the transfers. */
export function planText(
  staged: readonly StagedChange[],
  plan: { ring: Ring; transfers: PlannedTransfer[] } | string,
  upNodes: ReadonlySet<string>,
): string {
  const lines = [banner('Staged Changes'), 'Action         Details(s)', RULE];
  for (const change of staged) {
    const detail =
      change.kind === 'replace' ? `'${change.nodeId}' with '${change.by}'` : `'${change.nodeId}'`;
    lines.push(`${change.kind.padEnd(15)}${detail}`);
  }
  lines.push(RULE, '');
  if (typeof plan === 'string') return [...lines, plan].join('\n');
  const up = new Set([...upNodes, ...staged.filter((s) => s.kind === 'join').map((s) => s.nodeId)]);
  lines.push(membershipTable(plan.ring, up), '');
  lines.push(`Transfers resulting from cluster changes: ${plan.transfers.length}`);
  const pairs = new Map<string, number>();
  for (const t of plan.transfers) {
    const key = `'${t.from}' to '${t.to}'`;
    pairs.set(key, (pairs.get(key) ?? 0) + 1);
  }
  for (const [pair, count] of [...pairs].sort()) lines.push(`  ${count} transfers from ${pair}`);
  return lines.join('\n');
}

/** `ring-status`: the claimant, pending ownership changes and unreachable nodes. */
export function ringStatusText(ring: Ring, upNodes: ReadonlySet<string>): string {
  const lines = [banner('Claimant'), `Claimant:  '${ring.claimant}'`];
  lines.push(`Status:     ${upNodes.has(ring.claimant) ? 'up' : 'down'}`);
  lines.push(`Ring Ready: ${ring.members.every((m) => upNodes.has(m.nodeId))}`, '');
  lines.push(banner('Ownership Handoff'));
  const moving = ring.nextOwners.flatMap((to, p) => (to ? [{ p, from: ring.owners[p]!, to }] : []));
  if (moving.length === 0) lines.push('No pending changes.');
  const byPair = new Map<string, number[]>();
  for (const m of moving) {
    const key = `Owner:      ${m.from}\nNext Owner: ${m.to}`;
    byPair.set(key, [...(byPair.get(key) ?? []), m.p]);
  }
  for (const [pair, partitions] of byPair)
    lines.push(pair, `Partitions: ${partitions.join(', ')}`, '');
  lines.push('', banner('Unreachable Nodes'));
  const down = ring.members.filter((m) => !upNodes.has(m.nodeId)).map((m) => `'${m.nodeId}'`);
  lines.push(
    down.length === 0
      ? 'All nodes are up and reachable'
      : `The following nodes are unreachable: [${down.join(',')}]`,
  );
  return lines.join('\n');
}

/**
 * `transfers` from what `/admin/status` serves (cluster-info's bundle): the ring's pending
 * moves and the active ownership transfers. Without `upNodes` every member counts as up.
 */
export function transfersText(
  ring: Ring,
  active: readonly TransferStatus[],
  nowMs: number,
  upNodes: ReadonlySet<string> = new Set(ring.members.map((m) => m.nodeId)),
): string {
  const reports = active.map(fromLegacyStatus);
  const waiting = waitingOwnership(ring, upNodes, reports, new Set());
  return renderTransfers(
    { nowMs, transfers: [...waiting, ...reports], unreachable: [] },
    { tty: false, columns: 80 },
  );
}
