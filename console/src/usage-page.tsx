/**
 * The Usage page: storage over time and requests per operation, per user, from Riak CS's
 * usage API (storage samples and access samples), drawn with Chart.js, refreshed every
 * 30 s. The admin picks the user; a user sees its own.
 */
import { useState } from 'preact/hooks';
import { api, type User } from './api.js';
import { ChartView } from './chart.js';
import { useRefresh } from './use-refresh.js';

type Sample = Record<string, unknown> & { StartTime: string };
interface UsageAnswer {
  Access: { Nodes: Array<{ Node: string; Samples: Sample[] }> } | string;
  Storage: { Samples: Sample[] } | string;
}

/** `YYYYMMDDTHHMMSSZ`, the usage API's time. */
function stamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function label(start: string): string {
  return `${start.slice(4, 6)}-${start.slice(6, 8)} ${start.slice(9, 11)}:${start.slice(11, 13)}`;
}

/** The page. */
export function UsagePage({ user }: { user: User }) {
  const [days, setDays] = useState(7);
  const [who, setWho] = useState(user.keyId);
  const users = useRefresh(
    () =>
      user.isAdmin
        ? api<Array<{ keyId: string; name: string }>>('GET', 'users')
        : Promise.resolve([user]),
    60000,
  );
  const { data, error } = useRefresh(
    () => {
      const end = Date.now();
      const start = stamp(end - days * 86400000);
      const query = `user=${encodeURIComponent(who)}&start=${start}&end=${stamp(end)}`;
      return api<UsageAnswer>('GET', `usage?${query}`);
    },
    30000,
    [who, days],
  );
  return (
    <section aria-labelledby="usage-title">
      <h1 id="usage-title">Usage</h1>
      <form class="inline" onSubmit={(e) => e.preventDefault()} aria-label="Usage of">
        <label for="usage-user">User</label>
        <select id="usage-user" value={who} onChange={(e) => setWho(e.currentTarget.value)}>
          {(users.data ?? [user]).map((u) => (
            <option value={u.keyId}>{u.name}</option>
          ))}
        </select>
        <label for="usage-days">Days</label>
        <select
          id="usage-days"
          value={days}
          onChange={(e) => setDays(Number(e.currentTarget.value))}
        >
          {[1, 7, 30].map((d) => (
            <option value={d}>{d}</option>
          ))}
        </select>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {data && <StorageChart answer={data} />}
      {data && <AccessChart answer={data} />}
    </section>
  );
}

function StorageChart({ answer }: { answer: UsageAnswer }) {
  const samples = typeof answer.Storage === 'string' ? [] : answer.Storage.Samples;
  const total = (s: Sample) =>
    Object.values(s).reduce<number>(
      (sum, v) =>
        sum +
        (typeof v === 'object' && v !== null ? Number((v as { Bytes?: number }).Bytes ?? 0) : 0),
      0,
    );
  const config = {
    type: 'line' as const,
    data: {
      labels: samples.map((s) => label(s.StartTime)),
      datasets: [{ label: 'Bytes stored', data: samples.map(total) }],
    },
  };
  return (
    <div class="panel">
      <h2>Storage over time</h2>
      {samples.length === 0 ? (
        <p>No storage samples in this period yet (the storage batch writes them).</p>
      ) : (
        <ChartView config={config} label="Bytes stored over time" />
      )}
    </div>
  );
}

function AccessChart({ answer }: { answer: UsageAnswer }) {
  const nodes = typeof answer.Access === 'string' ? [] : answer.Access.Nodes;
  const perOp = new Map<string, number>();
  for (const node of nodes) {
    for (const s of node.Samples) {
      for (const [op, stats] of Object.entries(s)) {
        if (typeof stats !== 'object' || stats === null) continue;
        const count = Number((stats as { Count?: number }).Count ?? 0);
        perOp.set(op, (perOp.get(op) ?? 0) + count);
      }
    }
  }
  const ops = [...perOp.entries()].sort((a, b) => b[1] - a[1]);
  const config = {
    type: 'bar' as const,
    data: {
      labels: ops.map(([op]) => op),
      datasets: [{ label: 'Requests', data: ops.map(([, n]) => n) }],
    },
    options: { indexAxis: 'y' as const },
  };
  return (
    <div class="panel">
      <h2>Requests per operation</h2>
      {ops.length === 0 ? (
        <p>No access samples in this period yet (they are archived every few minutes).</p>
      ) : (
        <ChartView config={config} label="Requests per operation" />
      )}
    </div>
  );
}
