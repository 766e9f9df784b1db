/**
 * The page's calls to /console/api/: JSON both ways, the CSRF token on every call that
 * changes anything, and one place that notices a session has ended.
 */

/** Who is signed in. */
export interface User {
  keyId: string;
  name: string;
  email: string;
  isAdmin: boolean;
}

/** A refusal or failure, with the server's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken = '';
let onSignedOut: () => void = () => {};

/** Keeps the CSRF token the server gave at sign-in (in memory only). */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** What to do when the server says the session has ended. */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

/** One call; resolves with the JSON answer, rejects with an ApiError. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-cairn-csrf'] = csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`/console/api/${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const value = text === '' ? null : (JSON.parse(text) as unknown);
  if (!response.ok) {
    const error = (value ?? {}) as { error?: string; message?: string };
    if (response.status === 401) onSignedOut();
    throw new ApiError(
      response.status,
      error.error ?? 'Error',
      error.message ?? response.statusText,
    );
  }
  return value as T;
}

/** An S3 call made for the user by the server; the XML answer as a document. */
export async function s3(request: {
  method: string;
  bucket: string;
  key?: string;
  query?: Record<string, string>;
  body?: string;
  contentType?: string;
  cannedAcl?: string;
}): Promise<{ status: number; doc: Document | null; text: string }> {
  const answer = await api<{ status: number; body: string }>('POST', 's3', request);
  const doc = answer.body.startsWith('<')
    ? new DOMParser().parseFromString(answer.body, 'application/xml')
    : null;
  return { status: answer.status, doc, text: answer.body };
}

/** A presigned URL for a direct call to the S3 API. */
export async function presign(request: {
  method: string;
  bucket: string;
  key?: string;
  query?: Record<string, string>;
  expiresSec?: number;
}): Promise<string> {
  return (await api<{ url: string }>('POST', 'presign', request)).url;
}

/** The text of the first `name` element below `node`. */
export function textOf(node: ParentNode, name: string): string {
  return node.querySelector(name)?.textContent ?? '';
}

/** Bytes as a person reads them. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
