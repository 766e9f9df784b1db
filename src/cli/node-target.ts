/**
 * How the cluster commands reach their storage node (--node, CAIRN_NODE) and what they say
 * when they cannot: nothing listening, the wrong program on that port (an S3 endpoint, a
 * stanchion), a cookie the node refuses, or the embedded store, which has no node to ask.
 * The node's own refusals (a bad plan, an unknown member) pass through as it said them.
 */
import type { Command } from 'commander';
import type { InternalClient } from '../../ring/transport/internal-client.js';
import { peerCall, PeerError } from '../../ring/transport/peer-client.js';
import { adminRequest, resolveTarget, type TargetOptions } from './admin-client.js';
import {
  cookieRefusedError,
  embeddedError,
  unreachableError,
  wrongKindError,
  type Endpoint,
} from './endpoint-errors.js';
import { kindOfAnswer, probeKind } from './endpoint-probe.js';
import { internalClientOf } from './internal-client-of.js';

/** The node a cluster command speaks to. */
export interface NodeTarget {
  /** host:port */
  node: string;
  client: InternalClient;
  /** Neither --node nor CAIRN_NODE was given: the default 127.0.0.1:8087 is tried. */
  defaulted: boolean;
  program: Command;
}

/** The default address of a storage node's internal API. */
export const DEFAULT_NODE = '127.0.0.1:8087';

/**
 * `name@host[:port]`, `host:port` or `http://host:port/` → host:port (port defaults to
 * 8087). The scheme is accepted because operators paste URLs; internal TLS is chosen by the
 * --internal-tls-* options, not by it.
 */
export function nodeAddress(node: string): string {
  const bare = node
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/\/+$/, '');
  const at = bare.indexOf('@');
  const hostPort = at < 0 ? bare : bare.slice(at + 1);
  if (!/^[\w.-]+(:\d{1,5})?$/.test(hostPort)) {
    throw new Error(
      `not a node: ${JSON.stringify(node).slice(0, 100)}: give HOST:PORT or NAME@HOST:PORT, ` +
        'e.g. dev1@127.0.0.1:8101',
    );
  }
  return hostPort.includes(':') ? hostPort : `${hostPort}:8087`;
}

/** The node `program`'s options name, and a signing client; says why when it cannot. */
export async function nodeTargetOf(program: Command): Promise<NodeTarget> {
  const given = program.opts<{ node?: string }>().node ?? (process.env.CAIRN_NODE || undefined);
  const node = nodeAddress(given ?? DEFAULT_NODE);
  let client: InternalClient;
  try {
    client = await internalClientOf(program);
  } catch (error) {
    const url = given === undefined ? await embeddedStoreUrl(program) : undefined;
    throw url === undefined ? error : embeddedError(url);
  }
  return { node, client, defaulted: given === undefined, program };
}

/** A JSON call to the target node, its failures said for the operator. */
export async function nodeCall<T>(target: NodeTarget, path: string, body?: unknown): Promise<T> {
  try {
    return await peerCall<T>(target.client, target.node, path, { body, timeoutMs: 15_000 });
  } catch (error) {
    throw await nodeFailure(target, error);
  }
}

async function nodeFailure(target: NodeTarget, error: unknown): Promise<Error> {
  const endpoint: Endpoint = { address: target.node, kind: 'node' };
  if (error instanceof PeerError || error instanceof SyntaxError) {
    if (error instanceof PeerError && error.status === 401) {
      return cookieRefusedError(target.node, error.message);
    }
    const said = error instanceof PeerError ? kindOfAnswer(error.message) : 'other';
    const found = said === 'other' ? await probeKind(target.node, target.client) : said;
    if (found !== undefined && found !== 'node') return wrongKindError(endpoint, found);
    return error;
  }
  if (target.defaulted) {
    const url = await embeddedStoreUrl(target.program);
    if (url !== undefined) return embeddedError(url);
  }
  return unreachableError(endpoint, error);
}

/**
 * The URL of the embedded store (cairn start) when the front end at --url is one, as its
 * GET /riak-cs/stanchion says; undefined when it is not, or cannot be asked.
 */
export async function embeddedStoreUrl(program: Command): Promise<string | undefined> {
  try {
    const target = await resolveTarget(program.opts<TargetOptions>());
    const answer = await adminRequest(target, 'GET', '/riak-cs/stanchion');
    if (answer.status !== 200) return undefined;
    const said = JSON.parse(answer.text) as { embedded?: unknown };
    return said.embedded === true ? target.url : undefined;
  } catch {
    return undefined;
  }
}
