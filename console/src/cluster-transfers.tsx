/**
 * Transfers and hinted handoffs on the Cluster page: what is still moving, with its
 * progress, apart from what finished in the last minute, so the summary and the rows say
 * the same thing.
 */
import type { ClusterStatus, Transfer } from './cluster-types.js';
import { ago, count } from './format.js';

/** Finished transfers are listed for this long after they finish. */
const RECENT_MS = 60_000;

const STATES: Record<string, string> = {
  'waiting-target': 'waiting: receiver down',
  'waiting-slot': 'waiting for a free slot',
  pending: 'about to start',
  counting: 'counting objects',
  sending: 'sending',
  throttled: 'sending (rate-limited)',
  retrying: 'retrying after a failure',
  reporting: 'handing ownership over',
  dropping: 'removing delivered hints',
  done: 'done',
};

/** The panel. */
export function Transfers({ status }: { status: ClusterStatus }) {
  const all = status.nodes.flatMap((n) => n.status?.transfers ?? []);
  const running = all.filter((t) => t.state !== 'done');
  const finished = all.filter(
    (t) => t.state === 'done' && (t.finishedAtMs ?? 0) >= status.nowMs - RECENT_MS,
  );
  const ownership = running.filter((t) => t.kind !== 'hinted');
  const toMove = status.ring.nextOwners.filter((o) => o !== null).length;
  const hinted = running.filter((t) => t.kind === 'hinted');
  const failed = status.nodes.filter((n) => n.status?.error);
  return (
    <div class="panel">
      <h2>Transfers and handoffs</h2>
      {failed.map((n) => (
        <p class="error">
          {n.nodeId} did not answer: {n.status?.error}
        </p>
      ))}
      <p>{summary(toMove, ownership.length)}</p>
      {ownership.length > 0 && <TransferTable rows={ownership} label="Ownership transfers" />}
      <h3>Hinted handoffs</h3>
      {hinted.length === 0 ? (
        <p>No hinted handoffs held.</p>
      ) : (
        <TransferTable rows={hinted} label="Hinted handoffs" />
      )}
      <h3>Finished in the last minute</h3>
      {finished.length === 0 ? (
        <p>None.</p>
      ) : (
        <details>
          <summary>
            {count(finished.length, 'transfer')} (the most recent the nodes keep): show them
          </summary>
          <Finished rows={finished} nowMs={status.nowMs} />
        </details>
      )}
    </div>
  );
}

/** What still moves: partitions the ring says change owner, and how many transfer now. */
function summary(toMove: number, running: number): string {
  const pending = Math.max(toMove, running);
  if (pending === 0) return 'No partition is changing owner.';
  const now = running === pending ? '' : `: ${running} transferring now, the rest wait their turn`;
  return `${count(pending, 'partition')} to move to a new owner${now}.`;
}

function TransferTable({ rows, label }: { rows: Transfer[]; label: string }) {
  return (
    <table aria-label={label}>
      <thead>
        <tr>
          <th>Partition</th>
          <th>From → to</th>
          <th>State</th>
          <th>Progress</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((t) => (
          <tr>
            <td>{t.partition}</td>
            <td>
              {t.from} → {t.to}
            </td>
            <td>
              {STATES[t.state] ?? t.state}
              {t.error ? ` (${t.error})` : ''}
            </td>
            <td>
              <Progress transfer={t} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Finished({ rows, nowMs }: { rows: Transfer[]; nowMs: number }) {
  return (
    <table aria-label="Finished in the last minute">
      <thead>
        <tr>
          <th>Kind</th>
          <th>Partition</th>
          <th>From → to</th>
          <th>Finished</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((t) => (
          <tr>
            <td>{t.kind === 'hinted' ? 'hinted handoff' : 'ownership'}</td>
            <td>{t.partition}</td>
            <td>
              {t.from} → {t.to}
            </td>
            <td>{ago(t.finishedAtMs, nowMs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Progress({ transfer: t }: { transfer: Transfer }) {
  const total = t.itemsTotal ?? null;
  const done = t.itemsDone ?? 0;
  if (total === null) return <span>{count(done, 'object')} sent, total not counted yet</span>;
  if (total === 0) return <span>nothing to send</span>;
  const percent = Math.round((100 * Math.min(done, total)) / total);
  return (
    <span>
      <progress max={100} value={percent} aria-label={`Partition ${t.partition}: ${percent}%`}>
        {percent}%
      </progress>{' '}
      {done.toLocaleString('en')} of {count(total, 'object')}
    </span>
  );
}
