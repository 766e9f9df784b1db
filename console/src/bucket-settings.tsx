/**
 * A bucket's settings: versioning, its ACL (a canned one, with the grants shown), its
 * policy and CORS rules (as documents to edit). Each is read and written through the S3 API
 * as the signed-in user, so S3's own checks and errors apply.
 */
import { useEffect, useState } from 'preact/hooks';
import { s3, textOf } from './api.js';

interface State {
  versioning: string;
  grants: string[];
  policy: string;
  cors: string;
}

async function read(bucket: string): Promise<State> {
  const get = async (sub: string) => {
    try {
      return await s3({ method: 'GET', bucket, query: { [sub]: '' } });
    } catch {
      return undefined;
    }
  };
  const [versioning, acl, policy, cors] = await Promise.all(
    ['versioning', 'acl', 'policy', 'cors'].map(get),
  );
  const grants = Array.from(acl?.doc?.querySelectorAll('Grant') ?? []).map(
    (g) => `${textOf(g, 'URI') || textOf(g, 'DisplayName') || textOf(g, 'ID')}: ${textOf(g, 'Permission')}`,
  );
  return {
    versioning: (versioning?.doc && textOf(versioning.doc, 'Status')) || 'Off',
    grants,
    policy: policy?.text ?? '',
    cors: cors?.text ?? '',
  };
}

/** The settings panel of `bucket`. */
export function BucketSettings({ bucket }: { bucket: string }) {
  const [state, setState] = useState<State | undefined>(undefined);
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const reload = () => void read(bucket).then(setState);
  useEffect(reload, [bucket]);
  const run = async (what: string, call: () => Promise<unknown>) => {
    setError('');
    setMessage('');
    try {
      await call();
      setMessage(`${what}: saved.`);
      reload();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const field = (form: EventTarget | null, name: string) =>
    String(new FormData(form as HTMLFormElement).get(name) ?? '');
  const versioningXml = (status: string) =>
    `<VersioningConfiguration><Status>${status}</Status></VersioningConfiguration>`;
  if (!state) return <p>Loading settings…</p>;
  return (
    <div class="panel settings">
      <h2>Settings of {bucket}</h2>
      {message && <p role="status">{message}</p>}
      {error && <p class="error" role="alert">{error}</p>}
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          const status = field(e.currentTarget, 'versioning');
          void run('Versioning', () =>
            s3({ method: 'PUT', bucket, query: { versioning: '' }, body: versioningXml(status) }),
          );
        }}
      >
        <label for="versioning">Versioning (now {state.versioning})</label>
        <select id="versioning" name="versioning">
          <option value="Enabled">Enabled</option>
          <option value="Suspended">Suspended</option>
        </select>
        <button type="submit">Save versioning</button>
      </form>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          const cannedAcl = field(e.currentTarget, 'acl');
          void run('ACL', () => s3({ method: 'PUT', bucket, query: { acl: '' }, cannedAcl }));
        }}
      >
        <label for="acl">ACL (grants: {state.grants.join('; ') || 'none'})</label>
        <select id="acl" name="acl">
          <option value="private">private</option>
          <option value="public-read">public-read</option>
          <option value="authenticated-read">authenticated-read</option>
        </select>
        <button type="submit">Save ACL</button>
      </form>
      <Document
        label="Bucket policy (JSON)"
        id="policy"
        value={state.policy}
        save={(text) =>
          run('Policy', () =>
            text.trim() === ''
              ? s3({ method: 'DELETE', bucket, query: { policy: '' } })
              : s3({ method: 'PUT', bucket, query: { policy: '' }, body: text, contentType: 'application/json' }),
          )
        }
      />
      <Document
        label="CORS rules (XML)"
        id="cors"
        value={state.cors}
        save={(text) =>
          run('CORS', () =>
            text.trim() === ''
              ? s3({ method: 'DELETE', bucket, query: { cors: '' } })
              : s3({ method: 'PUT', bucket, query: { cors: '' }, body: text }),
          )
        }
      />
    </div>
  );
}

function Document(props: { label: string; id: string; value: string; save: (text: string) => void }) {
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        props.save(String(new FormData(e.currentTarget).get(props.id) ?? ''));
      }}
    >
      <label for={props.id}>{props.label}; empty removes it</label>
      <textarea id={props.id} name={props.id} rows={6} value={props.value} />
      <button type="submit">Save {props.label.split(' (')[0]!.toLowerCase()}</button>
    </form>
  );
}
