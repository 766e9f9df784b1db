/**
 * Uploads straight to the S3 API with presigned URLs: one PUT for a small file, multipart
 * for a large one (8 MiB parts, three in flight). The upload id is kept in localStorage, so
 * choosing the same file again after a reload resumes: ListParts says which parts are
 * there, and only the others are sent.
 */
import { presign, s3, textOf } from './api.js';

/** Parts of this size (S3's minimum is 5 MiB). */
export const PART_BYTES = 8 * 1024 * 1024;
/** Files from this size go multipart. */
export const MULTIPART_FROM_BYTES = 16 * 1024 * 1024;
const IN_FLIGHT = 3;

/** An upload that a reload may resume. */
export interface Pending {
  bucket: string;
  key: string;
  size: number;
  uploadId: string;
}

const STORE = 'cairn-console-uploads';

/** Uploads not finished, as localStorage remembers them. */
export function pendingUploads(): Pending[] {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(STORE) ?? '[]');
    return Array.isArray(value) ? (value as Pending[]) : [];
  } catch {
    return [];
  }
}

function remember(list: Pending[]): void {
  localStorage.setItem(STORE, JSON.stringify(list));
}

function forget(p: { bucket: string; key: string; size: number }): void {
  remember(pendingUploads().filter((q) => !same(q, p)));
}

function same(a: { bucket: string; key: string; size: number }, b: typeof a): boolean {
  return a.bucket === b.bucket && a.key === b.key && a.size === b.size;
}

/** PUTs `body` to a presigned URL, reporting bytes sent; resolves with the ETag. */
function put(url: string, body: Blob, onBytes: (sent: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.upload.onprogress = (e) => onBytes(e.loaded);
    xhr.onload = () =>
      xhr.status < 300
        ? resolve(xhr.getResponseHeader('etag') ?? '')
        : reject(
            new Error(
              `upload refused (${xhr.status}): ${textOf(xhr.responseXML ?? document, 'Message')}`,
            ),
          );
    xhr.onerror = () => reject(new Error('the upload was cut off'));
    xhr.send(body);
  });
}

/** Uploads `file` as `key`; `progress` gets the fraction done (0..1). */
export async function upload(
  bucket: string,
  key: string,
  file: File,
  progress: (fraction: number) => void,
): Promise<void> {
  if (file.size < MULTIPART_FROM_BYTES) {
    const url = await presign({ method: 'PUT', bucket, key, expiresSec: 900 });
    await put(url, file, (sent) => progress(sent / Math.max(file.size, 1)));
    progress(1);
    return;
  }
  await multipart(bucket, key, file, progress);
}

async function multipart(bucket: string, key: string, file: File, progress: (f: number) => void) {
  const target = { bucket, key, size: file.size };
  let uploadId = pendingUploads().find((p) => same(p, target))?.uploadId;
  let done = uploadId === undefined ? undefined : await listParts(bucket, key, uploadId);
  if (uploadId === undefined || done === undefined) {
    uploadId = await create(bucket, key);
    done = new Map<number, string>();
  }
  remember([...pendingUploads().filter((q) => !same(q, target)), { ...target, uploadId }]);
  const id = uploadId;
  const have = done;
  const count = Math.ceil(file.size / PART_BYTES);
  const sent = new Map<number, number>();
  for (const [n] of have) sent.set(n, Math.min(PART_BYTES, file.size - (n - 1) * PART_BYTES));
  const report = () => progress([...sent.values()].reduce((a, b) => a + b, 0) / file.size);
  report();
  const todo = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !have.has(n));
  const worker = async () => {
    for (let n = todo.shift(); n !== undefined; n = todo.shift()) {
      const part = n;
      const url = await presign({
        method: 'PUT',
        bucket,
        key,
        query: { partNumber: String(part), uploadId: id },
        expiresSec: 900,
      });
      const blob = file.slice((part - 1) * PART_BYTES, part * PART_BYTES);
      const etag = await put(url, blob, (bytes) => (sent.set(part, bytes), report()));
      have.set(part, etag);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  await complete(bucket, key, id, have);
  forget(target);
  progress(1);
}

async function create(bucket: string, key: string): Promise<string> {
  const url = await presign({
    method: 'POST',
    bucket,
    key,
    query: { uploads: '' },
    expiresSec: 300,
  });
  const response = await fetch(url, { method: 'POST' });
  const doc = new DOMParser().parseFromString(await response.text(), 'application/xml');
  if (!response.ok) throw new Error(`upload refused: ${textOf(doc, 'Message') || response.status}`);
  return textOf(doc, 'UploadId');
}

/** The parts already there (number → ETag); undefined when the upload is gone. */
async function listParts(bucket: string, key: string, uploadId: string) {
  const parts = new Map<number, string>();
  try {
    const { doc } = await s3({
      method: 'GET',
      bucket,
      key,
      query: { uploadId, 'max-parts': '10000' },
    });
    for (const p of Array.from(doc?.querySelectorAll('Part') ?? [])) {
      parts.set(Number(textOf(p, 'PartNumber')), textOf(p, 'ETag'));
    }
  } catch {
    // No such upload (completed or aborted elsewhere): a new one is started.
    return undefined;
  }
  return parts;
}

async function complete(bucket: string, key: string, uploadId: string, parts: Map<number, string>) {
  const body =
    '<CompleteMultipartUpload>' +
    [...parts.entries()]
      .sort(([a], [b]) => a - b)
      .map(([n, etag]) => `<Part><PartNumber>${n}</PartNumber><ETag>${etag}</ETag></Part>`)
      .join('') +
    '</CompleteMultipartUpload>';
  const url = await presign({ method: 'POST', bucket, key, query: { uploadId }, expiresSec: 300 });
  const response = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/xml' },
  });
  const text = await response.text();
  if (!response.ok || text.includes('<Error>')) {
    const doc = new DOMParser().parseFromString(text, 'application/xml');
    throw new Error(`the upload could not be completed: ${textOf(doc, 'Message')}`);
  }
}
