/**
 * The admin's form for one quota: max bytes (a number of bytes or a size such as 10GiB) and
 * max objects, each empty for no limit; Save sends both, Clear removes both. A refused value
 * is shown with the server's own message, and nothing changes.
 */
import { useState } from 'preact/hooks';
import { api } from './api.js';
import type { Quota } from './quotas-page.js';

/** Which quota is being changed. */
export interface QuotaTarget {
  kind: 'user' | 'bucket';
  quota: Quota;
}

/** The form. */
export function QuotaForm(props: { target: QuotaTarget; onDone: (said: string) => void }) {
  const { target } = props;
  const [error, setError] = useState('');
  const name = target.quota.user ?? target.quota.bucket ?? '';
  const path = `quota/${target.kind}/${encodeURIComponent(name)}`;
  const send = async (method: string, body?: unknown) => {
    setError('');
    try {
      await api(method, path, body);
      props.onDone(`Quota of ${target.kind} ${name} ${method === 'PUT' ? 'saved' : 'cleared'}.`);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const save = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const field = (n: string) => String(form.get(n) ?? '');
    void send('PUT', { maxBytes: field('maxBytes'), maxObjects: field('maxObjects') });
  };
  return (
    <form class="panel" onSubmit={save} aria-label={`Quota of ${name}`}>
      <h2>
        Quota of {target.kind} {name}
      </h2>
      <div class="inline">
        <label for="quota-bytes">Max bytes</label>
        <input
          id="quota-bytes"
          name="maxBytes"
          defaultValue={target.quota.max_bytes === null ? '' : String(target.quota.max_bytes)}
          placeholder="no limit (e.g. 10GiB)"
          autoComplete="off"
        />
        <label for="quota-objects">Max objects</label>
        <input
          id="quota-objects"
          name="maxObjects"
          inputMode="numeric"
          defaultValue={target.quota.max_objects === null ? '' : String(target.quota.max_objects)}
          placeholder="no limit"
          autoComplete="off"
        />
      </div>
      <div class="actions">
        <button type="submit">Save quota</button>
        <button type="button" onClick={() => void send('DELETE')}>
          Clear quota
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
