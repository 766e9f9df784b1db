/**
 * The Quotas page: each user's and each bucket's limits (max bytes, max objects) beside the
 * usage they are checked against, from the admin API's quota endpoints. The admin sets and
 * clears them; a user sees its own and its buckets' read-only (the admin API refuses it a
 * change anyway).
 */
import { useState } from 'preact/hooks';
import { api, formatBytes, type User } from './api.js';
import { QuotaForm, type QuotaTarget } from './quota-form.js';
import { useRefresh } from './use-refresh.js';

/** A quota as the admin API answers it. */
export interface Quota {
  user?: string;
  bucket?: string;
  max_bytes: number | null;
  max_objects: number | null;
  usage: { bytes: number; objects: number };
  /** The user's name, added by the page. */
  name?: string;
}

/** Rows shown at most of each kind: each is one call. */
const ROWS_MAX = 200;

async function loadQuotas(): Promise<{ users: Quota[]; buckets: Quota[] }> {
  const [users, buckets] = await Promise.all([
    api<Array<{ keyId: string; name: string }>>('GET', 'users'),
    api<Array<{ name: string }>>('GET', 'buckets'),
  ]);
  const quota = (kind: string, name: string) =>
    api<Quota>('GET', `quota/${kind}/${encodeURIComponent(name)}`);
  return {
    users: await Promise.all(
      users
        .slice(0, ROWS_MAX)
        .map(async (u) => ({ ...(await quota('user', u.keyId)), name: u.name })),
    ),
    buckets: await Promise.all(buckets.slice(0, ROWS_MAX).map((b) => quota('bucket', b.name))),
  };
}

/** The page. */
export function QuotasPage({ user }: { user: User }) {
  const { data, error, reload } = useRefresh(loadQuotas, 10_000);
  const [editing, setEditing] = useState<QuotaTarget | undefined>(undefined);
  const [notice, setNotice] = useState('');
  const edit = user.isAdmin ? (t: QuotaTarget) => (setNotice(''), setEditing(t)) : undefined;
  const done = (said: string) => {
    setNotice(said);
    setEditing(undefined);
    reload();
  };
  return (
    <section aria-labelledby="quotas-title">
      <h1 id="quotas-title">Quotas</h1>
      <p class="note">
        Writes past a limit are refused with 403 QuotaExceeded. A user&apos;s quota covers every
        bucket it owns.
        {user.isAdmin ? '' : ' Only the admin changes quotas.'}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {notice && <p role="status">{notice}</p>}
      {editing && (
        <QuotaForm
          key={`${editing.kind}/${editing.quota.user ?? editing.quota.bucket}`}
          target={editing}
          onDone={done}
        />
      )}
      <div class="panel">
        <h2>Users</h2>
        <QuotaTable kind="user" rows={data?.users ?? []} edit={edit} />
      </div>
      <div class="panel">
        <h2>Buckets</h2>
        {data && data.buckets.length === 0 ? (
          <p>No buckets yet.</p>
        ) : (
          <QuotaTable kind="bucket" rows={data?.buckets ?? []} edit={edit} />
        )}
      </div>
    </section>
  );
}

function QuotaTable(props: {
  kind: 'user' | 'bucket';
  rows: Quota[];
  edit: ((target: QuotaTarget) => void) | undefined;
}) {
  return (
    <table aria-label={props.kind === 'user' ? 'User quotas' : 'Bucket quotas'}>
      <thead>
        <tr>
          <th>{props.kind === 'user' ? 'User and access key' : 'Bucket'}</th>
          <th>Bytes stored</th>
          <th>Objects</th>
          {props.edit && <th>Change</th>}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((q) => {
          const name = q.user ?? q.bucket ?? '';
          return (
            <tr>
              <td>
                {q.name && `${q.name} `}
                <span class="mono">{name}</span>
              </td>
              <td>
                {formatBytes(q.usage.bytes)}{' '}
                {q.max_bytes === null ? '(no limit)' : `of ${formatBytes(q.max_bytes)}`}
              </td>
              <td>
                {q.usage.objects.toLocaleString('en')}{' '}
                {q.max_objects === null ? '(no limit)' : `of ${q.max_objects.toLocaleString('en')}`}
              </td>
              {props.edit && (
                <td>
                  <button
                    type="button"
                    onClick={() => props.edit?.({ kind: props.kind, quota: q })}
                  >
                    Edit quota of {name}
                  </button>
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
