/**
 * The Cluster page: what member-status, ring-status, transfers, stanchion status, aae-status
 * and gc show, refreshed every 3 s, in words; for the admin, staged join and leave with plan
 * and commit.
 */
import { api } from './api.js';
import { ChartView } from './chart.js';
import { AntiEntropyTable, GcTables } from './cluster-health.js';
import { Transfers } from './cluster-transfers.js';
import type { ClusterStatus } from './cluster-types.js';
import { count } from './format.js';
import { Membership } from './membership.js';
import { useRefresh } from './use-refresh.js';

/** The page. */
export function ClusterPage() {
  const { data, error, reload } = useRefresh(() => api<ClusterStatus>('GET', 'cluster'), 3000);
  return (
    <section aria-labelledby="cluster-title">
      <h1 id="cluster-title">Cluster</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {data && <Members status={data} />}
      {data && <Transfers status={data} />}
      {data && <AntiEntropyTable status={data} />}
      {data && <Stanchions status={data} />}
      {data && <GcTables status={data} />}
      {data && <Membership embedded={data.embedded} ring={data.ring} done={reload} />}
    </section>
  );
}

function Members({ status }: { status: ClusterStatus }) {
  const { ring, upNodes } = status;
  const owned = (id: string) => ring.owners.filter((o) => o === id).length;
  const incoming = (id: string) => ring.nextOwners.filter((o) => o === id).length;
  const pct = (n: number) => `${((100 * n) / ring.partitionCount).toFixed(1)}%`;
  const config = {
    type: 'doughnut' as const,
    data: {
      labels: ring.members.map((m) => m.nodeId),
      datasets: [{ label: 'Partitions owned', data: ring.members.map((m) => owned(m.nodeId)) }],
    },
    options: { plugins: { legend: { position: 'bottom' as const } } },
  };
  return (
    <div class="panel">
      <h2>Members</h2>
      <p>
        Ring epoch {ring.epoch}: {count(ring.members.length, 'member')}, {ring.partitionCount}{' '}
        partitions; the claimant is {ring.claimant}.
      </p>
      <table>
        <thead>
          <tr>
            <th>Node</th>
            <th>Status</th>
            <th>Reachable</th>
            <th>Owns</th>
            <th>Moving in</th>
          </tr>
        </thead>
        <tbody>
          {ring.members.map((m) => (
            <tr>
              <td>{m.nodeId}</td>
              <td>{m.status}</td>
              <td>{upNodes.includes(m.nodeId) ? 'up' : 'down'}</td>
              <td>
                {owned(m.nodeId)} ({pct(owned(m.nodeId))})
              </td>
              <td>{incoming(m.nodeId) ? count(incoming(m.nodeId), 'partition') : 'none'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="note">
        Owns: partitions this node is the primary of. Moving in: partitions it will own once their
        transfer finishes and the claimant hands them over. Every commit and every finished transfer
        makes a new ring epoch.
      </p>
      <ChartView config={config} label="Ring ownership per node" small />
    </div>
  );
}

function Stanchions({ status }: { status: ClusterStatus }) {
  if (!Array.isArray(status.stanchion)) {
    const why = (status.stanchion as { error?: string } | null)?.error ?? 'not reported';
    return (
      <div class="panel">
        <h2>Stanchion</h2>
        <p class="error">No stanchion answered: {why}</p>
      </div>
    );
  }
  return (
    <div class="panel">
      <h2>Stanchion</h2>
      <table>
        <thead>
          <tr>
            <th>Address</th>
            <th>Role</th>
            <th>Epoch</th>
            <th>Commands applied</th>
            <th>Users</th>
            <th>Buckets</th>
          </tr>
        </thead>
        <tbody>
          {status.stanchion.map((s) => (
            <tr>
              <td>{s.address}</td>
              <td>{s.status?.role ?? `no answer: ${s.error ?? 'unknown'}`}</td>
              <td>{s.status?.epoch}</td>
              <td>{s.status?.appliedSeq}</td>
              <td>{s.status?.users}</td>
              <td>{s.status?.buckets}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
