/**
 * One bucket: its objects by prefix and delimiter, a page of 50 at a time (never the whole
 * bucket), with download, share link and delete; uploads; and its settings.
 */
import { useState } from 'preact/hooks';
import { formatBytes, presign, s3, textOf } from './api.js';
import { BucketSettings } from './bucket-settings.js';
import { ShareLink } from './share-link.js';
import { Upload } from './upload-panel.js';
import { useRefresh } from './use-refresh.js';

const PAGE_KEYS = 50;

interface Listing {
  prefixes: string[];
  objects: Array<{ key: string; size: number; modified: string }>;
  next: string | undefined;
}

async function list(bucket: string, prefix: string, token: string | undefined) {
  const query: Record<string, string> = {
    'list-type': '2',
    delimiter: '/',
    prefix,
    'max-keys': String(PAGE_KEYS),
    ...(token ? { 'continuation-token': token } : {}),
  };
  const { doc } = await s3({ method: 'GET', bucket, query });
  const listing: Listing = { prefixes: [], objects: [], next: undefined };
  if (!doc) return listing;
  for (const p of Array.from(doc.querySelectorAll('CommonPrefixes'))) {
    listing.prefixes.push(textOf(p, 'Prefix'));
  }
  for (const c of Array.from(doc.querySelectorAll('Contents'))) {
    listing.objects.push({
      key: textOf(c, 'Key'),
      size: Number(textOf(c, 'Size')),
      modified: textOf(c, 'LastModified'),
    });
  }
  if (textOf(doc, 'IsTruncated') === 'true') listing.next = textOf(doc, 'NextContinuationToken');
  return listing;
}

/** The page. */
export function BucketPage({ bucket }: { bucket: string }) {
  const [prefix, setPrefix] = useState('');
  const [tokens, setTokens] = useState<string[]>([]);
  const [sharing, setSharing] = useState<string | undefined>(undefined);
  const [failure, setFailure] = useState('');
  const token = tokens.at(-1);
  const { data, error, reload } = useRefresh(() => list(bucket, prefix, token), 10000, [
    bucket,
    prefix,
    token,
  ]);
  const open = (p: string) => (setPrefix(p), setTokens([]));
  const download = async (key: string) => {
    const name = key.split('/').pop() ?? 'download';
    const disposition = `attachment; filename*=UTF-8''${encodeURIComponent(name)}`;
    const query = { 'response-content-disposition': disposition };
    location.href = await presign({ method: 'GET', bucket, key, query, expiresSec: 300 });
  };
  const remove = async (key: string) => {
    if (!confirm(`Delete ${key}?`)) return;
    try {
      await s3({ method: 'DELETE', bucket, key });
      reload();
    } catch (e) {
      setFailure(e instanceof Error ? e.message : String(e));
    }
  };
  if (error && !data) return <Refused bucket={bucket} error={error} />;
  return (
    <section aria-labelledby="bucket-title">
      <h1 id="bucket-title">Bucket {bucket}</h1>
      <p>
        <a href="#/buckets">All buckets</a>
      </p>
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
      <Breadcrumbs prefix={prefix} open={open} />
      <Upload bucket={bucket} prefix={prefix} done={reload} />
      {sharing !== undefined && (
        <ShareLink bucket={bucket} objectKey={sharing} onClose={() => setSharing(undefined)} />
      )}
      <ObjectTable
        prefix={prefix}
        listing={data}
        open={open}
        download={(key) => void download(key)}
        share={setSharing}
        remove={(key) => void remove(key)}
      />
      <Pager tokens={tokens} next={data?.next} setTokens={setTokens} />
      <BucketSettings bucket={bucket} />
    </section>
  );
}

/** A bucket the user may not open (or that is gone): the refusal, nothing else. */
function Refused({ bucket, error }: { bucket: string; error: string }) {
  return (
    <section aria-labelledby="bucket-title">
      <h1 id="bucket-title">Bucket {bucket}</h1>
      <p class="error" role="alert">
        {error}
      </p>
      <p>
        <a href="#/buckets">All buckets</a>
      </p>
    </section>
  );
}

/** The objects and folders of one page of the listing, each with its actions. */
function ObjectTable(props: {
  prefix: string;
  listing: Listing | undefined;
  open: (prefix: string) => void;
  download: (key: string) => void;
  share: (key: string) => void;
  remove: (key: string) => void;
}) {
  return (
    <table aria-label="Objects">
      <thead>
        <tr>
          <th>Name</th>
          <th>Size</th>
          <th>Modified</th>
          <th>Actions</th>
        </tr>
      </thead>
      <tbody>
        {props.listing?.prefixes.map((p) => (
          <tr>
            <td colSpan={4}>
              <button type="button" class="link" onClick={() => props.open(p)}>
                {p.slice(props.prefix.length)}
              </button>
            </td>
          </tr>
        ))}
        {props.listing?.objects.map((o) => (
          <tr>
            <td class="mono">{o.key.slice(props.prefix.length)}</td>
            <td>{formatBytes(o.size)}</td>
            <td>{o.modified.replace('T', ' ').slice(0, 19)}</td>
            <td class="actions">
              <button type="button" onClick={() => props.download(o.key)}>
                Download <span class="sr">{o.key}</span>
              </button>
              <button type="button" onClick={() => props.share(o.key)}>
                Share <span class="sr">{o.key}</span>
              </button>
              <button type="button" onClick={() => props.remove(o.key)}>
                Delete <span class="sr">{o.key}</span>
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Previous and next pages: the continuation tokens of the pages behind this one. */
function Pager(props: {
  tokens: string[];
  next: string | undefined;
  setTokens: (tokens: string[]) => void;
}) {
  const { tokens, next, setTokens } = props;
  return (
    <div class="actions">
      <button
        type="button"
        disabled={tokens.length === 0}
        onClick={() => setTokens(tokens.slice(0, -1))}
      >
        Previous page
      </button>
      <button type="button" disabled={!next} onClick={() => setTokens([...tokens, next!])}>
        Next page
      </button>
    </div>
  );
}

function Breadcrumbs({ prefix, open }: { prefix: string; open: (p: string) => void }) {
  const parts = prefix.split('/').filter(Boolean);
  return (
    <nav aria-label="Folder" class="crumbs">
      <button type="button" class="link" onClick={() => open('')}>
        (top)
      </button>
      {parts.map((part, i) => (
        <>
          {' / '}
          <button
            type="button"
            class="link"
            onClick={() => open(parts.slice(0, i + 1).join('/') + '/')}
          >
            {part}
          </button>
        </>
      ))}
    </nav>
  );
}
