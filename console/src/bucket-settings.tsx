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
  const grantee = (g: Element) => textOf(g, 'URI') || textOf(g, 'DisplayName') || textOf(g, 'ID');
  const grants = Array.from(acl?.doc?.querySelectorAll('Grant') ?? []).map(
    (g) => `${grantee(g)}: ${textOf(g, 'Permission')}`,
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
  const run = async (what: string, call: () => Promise<unknown>): Promise<void> => {
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
  if (!state) return <p>Loading settings…</p>;
  const versioningXml = (status: string) =>
    `<VersioningConfiguration><Status>${status}</Status></VersioningConfiguration>`;
  return (
    <div class="panel settings">
      <h2>Settings of {bucket}</h2>
      {message && <p role="status">{message}</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <Choice
        id="versioning"
        label={`Versioning (now ${state.versioning})`}
        options={['Enabled', 'Suspended']}
        save={(status) =>
          run('Versioning', () =>
            s3({ method: 'PUT', bucket, query: { versioning: '' }, body: versioningXml(status) }),
          )
        }
      />
      <Choice
        id="acl"
        label={`ACL (grants: ${state.grants.join('; ') || 'none'})`}
        options={['private', 'public-read', 'authenticated-read']}
        save={(cannedAcl) =>
          run('ACL', () => s3({ method: 'PUT', bucket, query: { acl: '' }, cannedAcl }))
        }
      />
      <Document
        label="Bucket policy (JSON)"
        id="policy"
        value={state.policy}
        save={(text) => void run('Policy', () => saveDocument(bucket, 'policy', text))}
      />
      <Document
        label="CORS rules (XML)"
        id="cors"
        value={state.cors}
        save={(text) => void run('CORS', () => saveDocument(bucket, 'cors', text))}
      />
    </div>
  );
}

/** PUTs a policy or CORS document; an empty one DELETEs it. */
function saveDocument(bucket: string, sub: 'policy' | 'cors', text: string) {
  const query = { [sub]: '' };
  if (text.trim() === '') return s3({ method: 'DELETE', bucket, query });
  const contentType = sub === 'policy' ? 'application/json' : 'application/xml';
  return s3({ method: 'PUT', bucket, query, body: text, contentType });
}

function Choice(props: {
  id: string;
  label: string;
  options: string[];
  save: (value: string) => Promise<void>;
}) {
  const submit = (e: Event) => {
    e.preventDefault();
    const value = new FormData(e.currentTarget as HTMLFormElement).get(props.id);
    void props.save(String(value ?? ''));
  };
  return (
    <form class="inline" onSubmit={submit}>
      <label for={props.id}>{props.label}</label>
      <select id={props.id} name={props.id}>
        {props.options.map((o) => (
          <option value={o}>{o}</option>
        ))}
      </select>
      <button type="submit">Save {props.id === 'acl' ? 'ACL' : props.id}</button>
    </form>
  );
}

function Document(props: {
  label: string;
  id: string;
  value: string;
  save: (text: string) => void;
}) {
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
