/**
 * Finds out what answers at an address when a command met something it did not expect: a
 * storage node and a stanchion both answer an unsigned GET /ping (with their node id, with
 * their role), an S3 front end answers with an S3 XML error or `OK`. Probes are short and
 * never raise: a probe that fails says nothing, and the caller keeps its first message.
 */
import type { InternalClient } from '../../ring/transport/internal-client.js';
import { s3ErrorOf, type FoundKind } from './endpoint-errors.js';

const PROBE_TIMEOUT_MS = 3000;

/** What an answer's body says of the program that sent it. */
export function kindOfAnswer(body: string): FoundKind {
  if (body.trim() === 'OK' || s3ErrorOf(body) !== undefined) return 's3';
  try {
    const json = JSON.parse(body) as { nodeId?: unknown; role?: unknown; error?: unknown };
    if (typeof json.nodeId === 'string') return 'node';
    if (typeof json.role === 'string') return 'stanchion';
  } catch {
    // Not JSON: not one of ours.
  }
  return 'other';
}

/**
 * What answers GET /ping at `address` (host:port): through `client` when the cluster speaks
 * internal TLS, else plain HTTP. Undefined when nothing answers.
 */
export async function probeKind(
  address: string,
  client?: InternalClient,
): Promise<FoundKind | undefined> {
  try {
    // Plain HTTP goes through fetch, on a connection of its own: never on the pooled one
    // that just carried the answer being explained.
    if (client?.scheme === 'https') {
      const reply = await client.request(address, {
        method: 'GET',
        path: '/ping',
        timeoutMs: PROBE_TIMEOUT_MS,
        replyBytesMax: 64 * 1024,
      });
      return kindOfAnswer(reply.body.toString('utf8'));
    }
    const response = await fetch(`http://${address}/ping`, {
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    if (response.headers.get('x-amz-request-id') !== null) {
      await response.body?.cancel();
      return 's3';
    }
    return kindOfAnswer((await response.text()).slice(0, 64 * 1024));
  } catch {
    return undefined;
  }
}

/** host:port of an S3 endpoint URL. */
export function urlAddress(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * The store URL an operator gave (--url, CAIRN_URL): `host:port` is taken as http://, as
 * operators type it; anything that is not an http(s) URL is refused, saying the form.
 */
export function storeUrl(given: string): string {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(given) ? given : `http://${given}`;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !/^https?:$/.test(parsed.protocol) || parsed.hostname === '') {
    throw new Error(
      `not a store URL: ${JSON.stringify(given).slice(0, 100)}: give --url (CAIRN_URL) as ` +
        'http://HOST:PORT or https://HOST:PORT',
    );
  }
  return url;
}
