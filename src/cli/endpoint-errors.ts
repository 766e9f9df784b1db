/**
 * The one place that turns a failure to reach an endpoint into a message an operator can act
 * on: the address tried, the program expected there (S3 and admin endpoint, storage node,
 * stanchion), what the failure means, and the flag or variable to change. A raw `fetch
 * failed`, an S3 XML body or a stack trace must never reach the user. Pure: the probes that
 * find out what answers live in endpoint-probe.ts.
 */
import { XMLParser } from 'fast-xml-parser';

/** The programs cairn-admin speaks to. */
export type EndpointKind = 's3' | 'node' | 'stanchion';

/** What a probe found answering at an address. */
export type FoundKind = EndpointKind | 'other';

/** An address cairn-admin tried and the program it expected there. */
export interface Endpoint {
  /** host:port, or a URL for the S3 endpoint. */
  address: string;
  kind: EndpointKind;
}

const PROGRAMS: Record<EndpointKind, { name: string; fix: string }> = {
  s3: {
    name: 'the S3 and admin endpoint (cairn start or cairn s3)',
    fix: '--url http://HOST:PORT (CAIRN_URL)',
  },
  node: { name: 'a storage node (cairn node)', fix: '--node HOST:PORT (CAIRN_NODE)' },
  stanchion: {
    name: 'a stanchion (cairn stanchion)',
    fix: '--stanchion HOST:PORT,... (CAIRN_STANCHION)',
  },
};

const FOUND_NAMES: Record<FoundKind, string> = {
  s3: 'an S3 endpoint',
  node: 'a storage node',
  stanchion: 'a stanchion',
  other: 'not a Cairn program',
};

/**
 * An error whose message depends on the command that met it; cairn-admin renders it with the
 * command's name ("member-status needs a storage node").
 */
export class EndpointError extends Error {
  constructor(readonly render: (command: string) => string) {
    super(render('this command'));
    this.name = 'EndpointError';
  }
}

/** The error code and text of a network failure, looking through fetch's `cause` chain. */
export function networkCause(error: unknown): { code?: string; detail: string } {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return { code, detail: current.message };
    const inner: unknown =
      current instanceof AggregateError ? (current.errors as unknown[])[0] : undefined;
    if (current.cause === undefined && inner === undefined) break;
    current = current.cause ?? inner;
  }
  const detail = current instanceof Error ? current.message : String(current);
  return /^timeout \d+ ms$/.test(detail) ? { code: 'ETIMEDOUT', detail } : { detail };
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|UNABLE_TO_GET_ISSUER/;

/** What a network error code means at `address`, in words, and what to do about it. */
export function whyUnreachable(
  address: string,
  code: string | undefined,
  detail: string,
  kind: EndpointKind,
): { why: string; fix: string } {
  const host = hostOf(address);
  const start = `start it, or point ${PROGRAMS[kind].fix} at one that runs`;
  if (code === 'ECONNREFUSED') {
    return { why: `nothing is listening there (connection refused)`, fix: start };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return { why: `the host name ${host} does not resolve (${code})`, fix: fixName(kind) };
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return { why: `no route to ${host} (${code})`, fix: fixName(kind) };
  }
  if (code !== undefined && /TIMEOUT|ETIMEDOUT/.test(code)) {
    return { why: `no answer in time (${code}): a firewall, or a stopped process`, fix: start };
  }
  if (code !== undefined && TLS_CODES.test(code)) {
    return { why: `its TLS certificate was not accepted (${code})`, fix: tlsFix(kind) };
  }
  if (code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER') {
    return {
      why: `TLS failed (${code}): one side speaks TLS, the other not`,
      fix: schemeFix(kind),
    };
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET') {
    const why = `it closed the connection (${code}): a TLS port, or another program`;
    return { why, fix: schemeFix(kind) };
  }
  if (code !== undefined && code.startsWith('HPE_')) {
    return { why: `what answers does not speak HTTP (${code})`, fix: fixName(kind) };
  }
  if (detail === 'bad port') {
    // fetch refuses the ports browsers block (1, 7, 22, 25…) before trying them.
    return { why: 'fetch refuses to use that port (a blocked port)', fix: fixName(kind) };
  }
  return { why: code ? `${detail} (${code})` : detail, fix: fixName(kind) };
}

function fixName(kind: EndpointKind): string {
  return `check the address given with ${PROGRAMS[kind].fix}`;
}

function tlsFix(kind: EndpointKind): string {
  return kind === 's3'
    ? 'give its CA with NODE_EXTRA_CA_CERTS=FILE, or use the host name its certificate names'
    : "give the cluster CA with --internal-tls-ca (CAIRN_INTERNAL_TLS_CA) and this host's " +
        'certificate with --internal-tls-cert and --internal-tls-key';
}

function schemeFix(kind: EndpointKind): string {
  return kind === 's3'
    ? 'use https:// in --url (CAIRN_URL) for a TLS endpoint, http:// otherwise'
    : 'give --internal-tls-cert, --internal-tls-key and --internal-tls-ca when the cluster ' +
        'uses internal TLS, and none of them otherwise';
}

/** host of `host:port` or of a URL. */
function hostOf(address: string): string {
  try {
    return new URL(address.includes('://') ? address : `http://${address}`).hostname;
  } catch {
    return address;
  }
}

/** The failure to reach `endpoint`, said for the command that tried. */
export function unreachableError(endpoint: Endpoint, error: unknown): EndpointError {
  const { code, detail } = networkCause(error);
  const { why, fix } = whyUnreachable(endpoint.address, code, detail, endpoint.kind);
  const program = PROGRAMS[endpoint.kind].name;
  return new EndpointError(
    (command) => `${command} could not reach ${program} at ${endpoint.address}: ${why}; ${fix}`,
  );
}

/** Something other than the expected program answered at `endpoint`. */
export function wrongKindError(endpoint: Endpoint, found: FoundKind): EndpointError {
  const expected = PROGRAMS[endpoint.kind];
  return new EndpointError(
    (command) =>
      `${endpoint.address} is ${FOUND_NAMES[found]}; ${command} needs ${expected.name}: ` +
      expected.fix,
  );
}

/** A node or stanchion refused the signature made from the cookie given. */
export function cookieRefusedError(address: string, detail: string): EndpointError {
  const why = printable(detail.replace(/^internal request refused: /, '')).slice(0, 200);
  return new EndpointError(
    (command) =>
      `${command}: ${address} refused this cookie (${why}): give the cluster's cookie ` +
      '(its distributed_cookie) with --cookie or CAIRN_COOKIE',
  );
}

/** The embedded store answered where a cluster was needed; `url` is the store's. */
export class EmbeddedStoreError extends EndpointError {
  constructor(readonly url: string) {
    super(
      (command) =>
        `${url} is the embedded single-node store (cairn start), which has no storage node ` +
        `to ask: ${command} needs a cluster's storage node: --node HOST:PORT (CAIRN_NODE), ` +
        'with --cookie (CAIRN_COOKIE). The embedded store has one member, always up, owning ' +
        'the whole ring.',
    );
  }
}

/** The embedded store answered where a cluster was needed. */
export function embeddedError(url: string): EmbeddedStoreError {
  return new EmbeddedStoreError(url);
}

const xml = new XMLParser({ parseTagValue: false });

/** Code and Message of an S3 XML error body; undefined when the text is not one. */
export function s3ErrorOf(text: string): { code: string; message: string } | undefined {
  if (!text.trimStart().startsWith('<')) return undefined;
  try {
    const parsed = xml.parse(text) as { Error?: { Code?: unknown; Message?: unknown } };
    const code = parsed.Error?.Code;
    if (typeof code !== 'string') return undefined;
    const message = parsed.Error?.Message;
    return { code, message: typeof message === 'string' ? message : '' };
  } catch {
    return undefined;
  }
}

/** "the store refused (HTTP 404): NoSuchUser: …", never the raw XML. */
export function refusalText(status: number, text: string): string {
  const error = s3ErrorOf(text);
  const said = error
    ? `${error.code}${error.message ? `: ${error.message}` : ''}`
    : printable(text).slice(0, 200);
  return `the store refused (HTTP ${status}): ${said}`;
}

/** Without control characters: the text came from the network. */
function printable(text: string): string {
  return text.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
}

const KEYS_FIX =
  "give the store admin's keys with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the " +
  "store's data dir with --data-dir DIR (CAIRN_DATA_DIR): cairn-admin reads DIR/admin.json, " +
  './data/admin.json by default';

const KEY_CODES: Record<string, string> = {
  InvalidAccessKeyId: 'does not know (InvalidAccessKeyId) the access key',
  SignatureDoesNotMatch: 'refused the secret (SignatureDoesNotMatch) of the access key',
  AccessDenied: 'refused admin rights (AccessDenied) to the access key',
};

/** A refusal of the admin keys themselves, or undefined for any other answer. */
export function keysRefusedError(
  url: string,
  keyId: string,
  status: number,
  text: string,
): EndpointError | undefined {
  const code = status === 403 ? s3ErrorOf(text)?.code : undefined;
  const meaning = code === undefined ? undefined : KEY_CODES[code];
  if (meaning === undefined) return undefined;
  return new EndpointError(
    (command) => `${command}: the store at ${url} ${meaning} ${keyId}: ${KEYS_FIX}`,
  );
}

/**
 * The one line cairn-admin prints for a failure of `command`: an EndpointError said for
 * that command, a stray network error (raw `fetch failed`) said for the --url endpoint.
 */
export function cliErrorText(error: unknown, command: string, url: string): string {
  if (error instanceof EndpointError) return error.render(command);
  const { code } = networkCause(error);
  const raw = error instanceof Error ? error.message : String(error);
  if (raw === 'fetch failed' || (code !== undefined && /^E[A-Z]+$/.test(code))) {
    return unreachableError({ address: url, kind: 's3' }, error).render(command);
  }
  return raw;
}
