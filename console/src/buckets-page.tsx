/** The Buckets page: every bucket the user may see, with its object count and bytes. */
import { useState } from 'preact/hooks';
import { api, formatBytes, s3 } from './api.js';
import { useRefresh } from './use-refresh.js';

interface BucketRow {
  name: string;
  owner: string;
  objects: number;
  bytes: number;
}

/** The page. */
export function BucketsPage() {
  const { data, error, reload } = useRefresh(() => api<BucketRow[]>('GET', 'buckets'), 5000);
  const [failure, setFailure] = useState('');
  const create = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const name = String(new FormData(form).get('bucket') ?? '').trim();
    setFailure('');
    try {
      await s3({ method: 'PUT', bucket: name });
      form.reset();
      reload();
    } catch (e) {
      setFailure(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <section aria-labelledby="buckets-title">
      <h1 id="buckets-title">Buckets</h1>
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
      <form onSubmit={(e) => void create(e)} class="inline" aria-label="Create a bucket">
        <label for="new-bucket">New bucket</label>
        <input id="new-bucket" name="bucket" required pattern="[a-z0-9][a-z0-9.\-]{1,62}" />
        <button type="submit">Create bucket</button>
      </form>
      <table>
        <thead>
          <tr>
            <th>Bucket</th>
            <th>Owner</th>
            <th>Objects</th>
            <th>Bytes</th>
          </tr>
        </thead>
        <tbody>
          {(data ?? []).map((b) => (
            <tr>
              <td>
                <a href={`#/buckets/${encodeURIComponent(b.name)}`}>{b.name}</a>
              </td>
              <td class="mono">{b.owner}</td>
              <td>{b.objects}</td>
              <td>{formatBytes(b.bytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data && data.length === 0 && <p>No buckets yet.</p>}
    </section>
  );
}
