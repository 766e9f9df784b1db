/**
 * How cairn-admin reaches a store: the URL and the admin keys (from the environment, or
 * from the admin.json a data dir holds), and a signed request helper (SigV4, signed body).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isSealed } from '../../stanchion/core/secret-seal.js';
import { storedSecret } from '../../stanchion/secret-box.js';
import { secretBoxFor } from '../../stanchion/secret-key-file.js';
import { signV4 } from '../auth/sigv4-client.js';
import { checkAdminAnswer } from './admin-answer.js';
import { unreachableError } from './endpoint-errors.js';
import { storeUrl, urlAddress } from './endpoint-probe.js';

/** The S3 and admin endpoint of `cairn start`. */
export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** Where and as whom cairn-admin talks. */
export interface AdminTarget {
  url: string;
  keyId: string;
  secret: string;
  region: string;
}

/** Options every cairn-admin command takes. */
export interface TargetOptions {
  url?: string;
  dataDir?: string;
  /** Opens admin.json's secret when the store seals secrets. */
  secretKeyFile?: string;
}

/** Resolves the target; throws a message for the user when no keys can be found. */
export async function resolveTarget(options: TargetOptions): Promise<AdminTarget> {
  const env = process.env;
  const url = storeUrl(options.url ?? env.CAIRN_URL ?? DEFAULT_URL);
  const region = env.CAIRN_REGION ?? 'us-east-1';
  const dataDir = options.dataDir ?? env.CAIRN_DATA_DIR;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY && !options.dataDir) {
    return { url, keyId: env.AWS_ACCESS_KEY_ID, secret: env.AWS_SECRET_ACCESS_KEY, region };
  }
  const path = join(dataDir ?? './data', 'admin.json');
  let saved: { keyId: string; secret: string };
  try {
    saved = JSON.parse(await readFile(path, 'utf8')) as { keyId: string; secret: string };
  } catch {
    throw new Error(
      `no admin keys: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ` +
        `or point --data-dir at the store's data directory (${path} not readable)`,
    );
  }
  const keyFile = options.secretKeyFile ?? env.CAIRN_SECRET_KEY_FILE;
  if (keyFile === undefined && isSealed(saved.secret)) {
    throw new Error(
      `${path} holds the admin's secret sealed: give the store's --secret-key-file ` +
        '(or CAIRN_SECRET_KEY_FILE), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  }
  const box = await secretBoxFor(keyFile, [dataDir ?? './data']);
  const secret = box.open(saved.keyId, storedSecret(saved.secret));
  return { url, keyId: saved.keyId, secret, region };
}

/**
 * Sends a SigV4-signed request and returns status and body text. A 503 (a stanchion failing
 * over, a ring settling after a join) is retried with backoff, as the AWS SDKs do, for up to
 * about 15 s; every other answer is returned as it is.
 */
export async function adminRequest(
  target: AdminTarget,
  method: string,
  path: string,
  body?: { contentType: string; text: string },
): Promise<{ status: number; text: string }> {
  for (let attempt = 0; ; attempt++) {
    const answer = await adminRequestOnce(target, method, path, body);
    if (answer.status !== 503 || attempt >= 4) return answer;
    await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** attempt));
  }
}

async function adminRequestOnce(
  target: AdminTarget,
  method: string,
  path: string,
  body?: { contentType: string; text: string },
): Promise<{ status: number; text: string }> {
  const response = await adminFetch(target, method, path, body);
  return { status: response.status, text: await response.text() };
}

/**
 * Sends a signed request whose answer is a text stream (a long operator command) and
 * writes it to `out` as it comes; a refusal is returned as status and text instead.
 */
export async function adminStream(
  target: AdminTarget,
  method: string,
  path: string,
  out: NodeJS.WritableStream,
): Promise<{ status: number; text: string }> {
  const response = await adminFetch(target, method, path);
  if (response.status !== 200 || !response.body) {
    return { status: response.status, text: await response.text() };
  }
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of response.body) {
    const piece = decoder.decode(chunk as Uint8Array, { stream: true });
    text += piece;
    out.write(piece);
  }
  return { status: 200, text };
}

async function adminFetch(
  target: AdminTarget,
  method: string,
  path: string,
  body?: { contentType: string; text: string },
): Promise<Response> {
  const url = new URL(path, target.url);
  const payload = body?.text ?? '';
  // The admin API answers XML unless asked (Riak CS's default); cairn-admin reads JSON.
  const headers: Record<string, string> = { host: url.host, accept: 'application/json' };
  if (body) headers['content-type'] = body.contentType;
  const signed = signV4(
    { method, url, headers, payloadSha256Hex: createHash('sha256').update(payload).digest('hex') },
    { accessKeyId: target.keyId, secretAccessKey: target.secret },
    target.region,
    Date.now(),
  );
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { ...headers, ...signed },
      ...(body ? { body: payload } : {}),
    });
  } catch (error) {
    throw unreachableError({ address: urlAddress(target.url), kind: 's3' }, error);
  }
  await checkAdminAnswer(target, response);
  return response;
}
