/**
 * Anti-entropy per node and the garbage collector's backlog on the Cluster page, as
 * labelled tables in words (`cairn-admin aae-status` and `gc status`).
 */
import type { ClusterStatus, GcStatus } from './cluster-types.js';
import { ago, count, duration, until } from './format.js';

/** Anti-entropy, one row per node. */
export function AntiEntropyTable({ status }: { status: ClusterStatus }) {
  if (status.embedded) {
    return (
      <div class="panel">
        <h2>Anti-entropy</h2>
        <p>Off: a ring of one member has no replica to compare with.</p>
      </div>
    );
  }
  return (
    <div class="panel">
      <h2>Anti-entropy</h2>
      <table aria-label="Anti-entropy per node">
        <thead>
          <tr>
            <th>Node</th>
            <th>Exchanges</th>
            <th>Keys repaired</th>
            <th>Last exchange</th>
            <th>Last failure</th>
          </tr>
        </thead>
        <tbody>
          {status.nodes.map((n) => {
            const aae = n.status?.antiEntropy;
            return (
              <tr>
                <td>{n.nodeId}</td>
                <td>{aae ? aae.exchanges.toLocaleString('en') : 'not reported'}</td>
                <td>{aae ? aae.keysRepaired.toLocaleString('en') : ''}</td>
                <td>{aae ? ago(aae.lastExchangeAtMs, status.nowMs) : ''}</td>
                <td>{aae?.lastError ?? 'none'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The GC backlog and each collector's last pass. */
export function GcTables({ status }: { status: ClusterStatus }) {
  const gc = status.gc;
  if (typeof gc !== 'object' || gc === null || 'error' in gc) {
    return (
      <div class="panel">
        <h2>Garbage collection</h2>
        <p class="error">The backlog could not be read: {gc?.error ?? 'not reported'}</p>
      </div>
    );
  }
  return (
    <div class="panel">
      <h2>Garbage collection</h2>
      <Backlog gc={gc} />
      <h3>Collectors</h3>
      {(gc.workers ?? []).length === 0 ? (
        <p>No collector has reported yet.</p>
      ) : (
        <table aria-label="Collectors">
          <thead>
            <tr>
              <th>Collector</th>
              <th>Last collection</th>
              <th>Collected</th>
              <th>Next</th>
            </tr>
          </thead>
          <tbody>
            {(gc.workers ?? []).map((w) => (
              <tr>
                <td>{w.workerId}</td>
                <td>{ago(w.lastCollect?.finishedAtMs, status.nowMs, 'none yet')}</td>
                <td>{w.lastCollect ? count(w.lastCollect.collected, 'entry', 'entries') : ''}</td>
                <td>{gc.paused ? 'paused' : until(w.nextCollectMs, status.nowMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function Backlog({ gc }: { gc: GcStatus }) {
  const rows: Array<[string, string]> = [
    ['Due for collection', count(gc.due, 'entry', 'entries')],
    ['Waiting out the leeway', count(gc.pending, 'entry', 'entries')],
    ['Leeway', duration(gc.leewaySeconds)],
    ['Collects every', duration(gc.intervalSeconds)],
    ['Paused', gc.paused ? 'yes' : 'no'],
  ];
  return (
    <table aria-label="Garbage collection backlog" class="pairs">
      <tbody>
        {rows.map(([label, value]) => (
          <tr>
            <th scope="row">{label}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
