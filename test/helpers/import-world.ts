/**
 * What the import tests share: users made on a source with chosen keys (the admin API's
 * import fields, so their order is known), runs of `cairn-admin import` as a real child
 * process (killable by PID), and a comparison of every object of a bucket on both sides:
 * bytes by SHA-256, ETag, stored headers, metadata and ACL.
 */
import {
  GetObjectAclCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { ADMIN_JS, type CairnProcess } from './cairn-process.js';
import { signedFetch } from './signed-fetch.js';
import { s3Client } from './s3-client.js';

/** A user with its keys and SDK clients on both stores. */
export interface WorldUser {
  email: string;
  keyId: string;
  secret: string;
  id: string;
  source: S3Client;
  target: S3Client;
}

/** Creates a user on `source` with the given key id (and a fresh secret and id). */
export async function makeUser(
  source: CairnProcess,
  target: CairnProcess,
  name: string,
  keyId: string,
  status: 'enabled' | 'disabled' = 'enabled',
): Promise<WorldUser> {
  const fields = {
    email: `${name}@example.com`,
    name,
    key_id: keyId,
    key_secret: randomBytes(30).toString('base64url'),
    id: randomBytes(32).toString('hex'),
    status,
  };
  const res = await signedFetch(source.url, '/riak-cs/user', {
    method: 'POST',
    credentials: source,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fields),
  });
  if (res.status !== 201) throw new Error(`user ${name}: ${res.status} ${await res.text()}`);
  const keys = { keyId, secret: fields.key_secret };
  return {
    email: fields.email,
    keyId,
    secret: keys.secret,
    id: fields.id,
    source: s3Client(source, keys),
    target: s3Client(target, keys),
  };
}

/** A user record as the admin API shows it. */
export async function adminUser(server: CairnProcess, keyId: string) {
  const res = await signedFetch(server.url, `/riak-cs/user/${keyId}`, {
    credentials: server,
    headers: { accept: 'application/json' },
  });
  return {
    status: res.status,
    json: (await res.json().catch(() => ({}))) as Record<string, unknown>,
  };
}

/** A running or finished import. */
export interface ImportRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `cairn-admin import` from `source` into `target` (the admin keys of each). */
export function startImport(
  source: Pick<CairnProcess, 'url' | 'keyId' | 'secret'>,
  target: CairnProcess,
  extra: string[] = [],
): ImportRun {
  const args = [ADMIN_JS, '--url', target.url, '--data-dir', target.dataDir, 'import'];
  args.push('--from', source.url, '--admin-key', source.keyId, '--admin-secret', source.secret);
  const env = { ...process.env };
  delete env.AWS_ACCESS_KEY_ID;
  delete env.AWS_SECRET_ACCESS_KEY;
  const child = spawn(process.execPath, [...args, ...extra], { env, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

/** Runs an import to its end with --json; its exit code and report. */
export async function runImport(
  source: Pick<CairnProcess, 'url' | 'keyId' | 'secret'>,
  target: CairnProcess,
  extra: string[] = [],
) {
  const run = startImport(source, target, ['--json', ...extra]);
  const { code } = await run.done;
  let report: ImportReportJson | undefined;
  try {
    report = JSON.parse(run.stdout()) as ImportReportJson;
  } catch {
    report = undefined;
  }
  return { code, report, stdout: run.stdout(), stderr: run.stderr() };
}

/** The --json report's shape, as far as the tests read it. */
export interface ImportReportJson {
  users: Record<string, number>;
  buckets: Record<string, number>;
  objects: { done: number; present: number; failed: number };
  bytesCopied: number;
  problems: Array<{ what: string; bucket?: string; key?: string; user?: string; reason: string }>;
  etagChanges: Array<{ bucket: string; key: string; sourceEtag: string; targetEtag: string }>;
  notes: string[];
}

/** Polls `condition` every 25 ms until it holds; false after `timeoutMs`. */
export async function waitFor(condition: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

/** Every key of a bucket, in order. */
export async function allKeys(client: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await client.send(new ListObjectsCommand({ Bucket: bucket, Marker: marker }));
    keys.push(...(page.Contents ?? []).map((c) => c.Key!));
    if (!page.IsTruncated) return keys;
    marker = keys.at(-1);
  }
}

/** Uploads in progress in a bucket. */
export async function uploadsIn(client: S3Client, bucket: string): Promise<number> {
  const answer = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return answer.Uploads?.length ?? 0;
}

/** What an object is, for comparison: bytes hash, ETag, stored headers, metadata. */
export async function objectFacts(client: S3Client, bucket: string, key: string) {
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hash = createHash('sha256');
  for await (const chunk of got.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
  return {
    sha256: hash.digest('hex'),
    etag: got.ETag,
    size: got.ContentLength,
    contentType: got.ContentType,
    contentEncoding: got.ContentEncoding,
    contentDisposition: got.ContentDisposition,
    contentLanguage: got.ContentLanguage,
    cacheControl: got.CacheControl,
    expires: got.ExpiresString ?? got.Expires?.toUTCString(),
    metadata: got.Metadata,
  };
}

/** An object's ACL as a comparable value: owner and sorted grants. */
export async function aclFacts(client: S3Client, bucket: string, key: string) {
  const acl = await client.send(new GetObjectAclCommand({ Bucket: bucket, Key: key }));
  const grants = (acl.Grants ?? []).map(
    (g) => `${g.Permission} ${g.Grantee?.ID ?? g.Grantee?.URI ?? g.Grantee?.EmailAddress}`,
  );
  return { owner: acl.Owner?.ID, grants: grants.sort() };
}

/** Runs `work` over `items`, `limit` at a time. */
export async function eachLimit<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
