/**
 * The Users page: the admin lists, creates, disables and enables users and gives them a new
 * secret; a user sees itself and may rekey. A new secret is shown once, then forgotten.
 */
import { useState } from 'preact/hooks';
import { api, type User } from './api.js';
import { useRefresh } from './use-refresh.js';

interface UserRow {
  keyId: string;
  name: string;
  email: string;
  status: string;
  id: string;
  secret?: string;
}

/** The page. */
export function UsersPage({ user }: { user: User }) {
  const { data, error, reload } = useRefresh(() => api<UserRow[]>('GET', 'users'), 5000);
  const [shown, setShown] = useState<UserRow | undefined>(undefined);
  const [failure, setFailure] = useState('');
  const act = async (call: () => Promise<UserRow>) => {
    setFailure('');
    try {
      const row = await call();
      if (row.secret) setShown(row);
      reload();
    } catch (e) {
      setFailure(e instanceof Error ? e.message : String(e));
    }
  };
  const update = (keyId: string, change: Record<string, unknown>) =>
    act(() => api<UserRow>('PUT', `users/${encodeURIComponent(keyId)}`, change));
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {failure && (
        <p class="error" role="alert">
          {failure}
        </p>
      )}
      {shown && <NewSecret row={shown} onDone={() => setShown(undefined)} />}
      {user.isAdmin && (
        <CreateUser onCreate={(body) => void act(() => api('POST', 'users', body))} />
      )}
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>E-mail</th>
            <th>Access key</th>
            <th>Status</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {(data ?? []).map((u) => (
            <tr>
              <td>{u.name}</td>
              <td>{u.email}</td>
              <td class="mono">{u.keyId}</td>
              <td>{u.status}</td>
              <td class="actions">
                <UserActions row={u} user={user} update={update} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Disable/enable (the admin, for others) and a new secret, for one user. */
function UserActions(props: {
  row: UserRow;
  user: User;
  update: (keyId: string, change: Record<string, unknown>) => Promise<void>;
}) {
  const { row: u, user, update } = props;
  const toggled = u.status === 'enabled' ? 'disabled' : 'enabled';
  return (
    <>
      {user.isAdmin && u.keyId !== user.keyId && (
        <button type="button" onClick={() => void update(u.keyId, { status: toggled })}>
          {u.status === 'enabled' ? 'Disable' : 'Enable'} {u.name}
        </button>
      )}
      <button type="button" onClick={() => void update(u.keyId, { newSecret: true })}>
        New secret for {u.name}
      </button>
    </>
  );
}

function CreateUser({ onCreate }: { onCreate: (body: { name: string; email: string }) => void }) {
  const submit = (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    onCreate({ name: String(data.get('name')), email: String(data.get('email')) });
    form.reset();
  };
  return (
    <form onSubmit={submit} class="inline" aria-label="Create a user">
      <label for="new-name">Name</label>
      <input id="new-name" name="name" required />
      <label for="new-email">E-mail</label>
      <input id="new-email" name="email" type="email" required />
      <button type="submit">Create user</button>
    </form>
  );
}

function NewSecret({ row, onDone }: { row: UserRow; onDone: () => void }) {
  return (
    <div class="secret" role="alert" aria-label="New keys">
      <p>Keys of {row.name}, shown once: copy the secret now; the console does not keep it.</p>
      <dl>
        <dt>Access key</dt>
        <dd class="mono" data-testid="new-key">
          {row.keyId}
        </dd>
        <dt>Secret</dt>
        <dd class="mono" data-testid="new-secret">
          {row.secret}
        </dd>
      </dl>
      <button type="button" onClick={onDone}>
        Done, hide it
      </button>
    </div>
  );
}
