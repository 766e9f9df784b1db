/**
 * The Cluster page: what member-status, ring-status, transfers, stanchion status and gc
 * show, refreshed every 3 s; for the admin, staged join and leave with plan and commit.
 */
import { api } from './api.js';
import { ChartView } from './chart.js';
import { Membership } from './membership.js';
import { useRefresh } from './use-refresh.js';

interface Member {
  nodeId: string;
  status: string;
  address: string;
}
interface Transfer {
  kind?: string;
  partition: number;
  from: string;
  to: string;
  state: string;
  itemsDone?: number;
  itemsTotal?: number | null;
}
interface NodeInfo {
  nodeId: string;
  status?: { transfers?: Transfer[]; antiEntropy?: unknown; error?: string };
}
interface Stanchion {
  address: string;
  status?: { role: string; epoch: number; appliedSeq: number; users: number; buckets: number };
  error?: string;
}
interface ClusterStatus {
  embedded: boolean;
  ring: {
    partitionCount: number;
    owners: string[];
    nextOwners: (string | null)[];
    members: Member[];
    claimant: string;
    epoch: number;
  };
  upNodes: string[];
  stanchion: Stanchion[] | { error: string };
  gc: Record<string, unknown> | { error: string };
  nodes: NodeInfo[];
}

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
      {data && <Stanchions status={data} />}
      {data && <Gc status={data} />}
      {data && <Membership embedded={data.embedded} members={data.ring.members} done={reload} />}
    </section>
  );
}

function Members({ status }: { status: ClusterStatus }) {
  const { ring, upNodes } = status;
  const owned = (id: string) => ring.owners.filter((o) => o === id).length;
  const pending = (id: string) => ring.nextOwners.filter((o) => o === id).length;
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
        Ring epoch {ring.epoch}, {ring.partitionCount} partitions, claimant {ring.claimant}
      </p>
      <table>
        <thead>
          <tr>
            <th>Status</th>
            <th>Up</th>
            <th>Ring</th>
            <th>Pending</th>
            <th>Node</th>
          </tr>
        </thead>
        <tbody>
          {ring.members.map((m) => (
            <tr>
              <td>{m.status}</td>
              <td>{upNodes.includes(m.nodeId) ? 'up' : 'down'}</td>
              <td>{pct(owned(m.nodeId))}</td>
              <td>{pending(m.nodeId) ? pct(pending(m.nodeId)) : '--'}</td>
              <td>{m.nodeId}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ChartView config={config} label="Ring ownership per node" small />
    </div>
  );
}

function Transfers({ status }: { status: ClusterStatus }) {
  const moving = status.ring.nextOwners.filter((o) => o !== null).length;
  const all = status.nodes.flatMap((n) => n.status?.transfers ?? []);
  // Running ones first, then the most recent finished ones (the nodes keep a few).
  const rows = [
    ...all.filter((t) => t.state !== 'done'),
    ...all.filter((t) => t.state === 'done').slice(-RECENT_DONE),
  ];
  const failed = status.nodes.filter((n) => n.status?.error);
  return (
    <div class="panel">
      <h2>Transfers and handoffs</h2>
      <p>{moving} partitions waiting to move to a new owner.</p>
      {failed.map((n) => (
        <p class="error">
          {n.nodeId}: {n.status?.error}
        </p>
      ))}
      {rows.length === 0 ? (
        <p>No ownership transfer or hinted handoff running.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Kind</th>
              <th>Partition</th>
              <th>From → to</th>
              <th>State</th>
              <th>Progress</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((t) => (
              <tr>
                <td>{t.kind ?? 'ownership'}</td>
                <td>{t.partition}</td>
                <td>
                  {t.from} → {t.to}
                </td>
                <td>{t.state}</td>
                <td>
                  <Progress transfer={t} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Anti-entropy</h3>
      {status.embedded ? (
        <p>Off: a ring of one member has no replica to compare with.</p>
      ) : (
        <dl>
          {status.nodes.map((n) => (
            <>
              <dt>{n.nodeId}</dt>
              <dd>{summary(n.status?.antiEntropy)}</dd>
            </>
          ))}
        </dl>
      )}
    </div>
  );
}

const RECENT_DONE = 8;

function Progress({ transfer: t }: { transfer: Transfer }) {
  const total = t.state === 'done' ? 1 : Math.max(t.itemsTotal ?? 0, 1);
  const done = t.state === 'done' ? 1 : Math.min(t.itemsDone ?? 0, total);
  const percent = Math.round((100 * done) / total);
  return (
    <progress max={total} value={done} aria-label={`Partition ${t.partition}: ${percent}%`}>
      {percent}%
    </progress>
  );
}

/** A small object as `key: value` pairs. */
function summary(value: unknown): string {
  if (value === null || value === undefined) return 'not reported';
  if (typeof value !== 'object') return String(value);
  return Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => typeof v !== 'object' || v === null)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(', ');
}

function Stanchions({ status }: { status: ClusterStatus }) {
  const list = Array.isArray(status.stanchion) ? status.stanchion : [];
  return (
    <div class="panel">
      <h2>Stanchion</h2>
      <table>
        <thead>
          <tr>
            <th>Address</th>
            <th>Role</th>
            <th>Epoch</th>
            <th>Applied</th>
            <th>Users</th>
            <th>Buckets</th>
          </tr>
        </thead>
        <tbody>
          {list.map((s) => (
            <tr>
              <td>{s.address}</td>
              <td>{s.status?.role ?? s.error}</td>
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

function Gc({ status }: { status: ClusterStatus }) {
  return (
    <div class="panel">
      <h2>Garbage collection</h2>
      <p>{summary(status.gc)}</p>
    </div>
  );
}
