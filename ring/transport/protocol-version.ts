/**
 * The version of the internal protocol (node↔node RPC, node↔stanchion, front end↔node,
 * cairn-admin), carried by every internal request and answer in one header so that a cluster
 * can be upgraded one process at a time. Peers of the same major understand each other
 * whatever their minors: a minor adds only what an older peer may ignore, and each side
 * answers with its own version so the newer one can avoid what the older lacks. A different
 * major is refused, with both versions named, before anything is done.
 *
 * Processes of Cairn before the header existed send none: they speak 1.0. Pure but for
 * `localProtocolVersion`, which reads the environment it is given.
 */

/** A protocol version: major.minor. */
export interface ProtocolVersion {
  major: number;
  minor: number;
}

/** The protocol this build speaks. Bump the minor for additions, the major for breaks. */
export const PROTOCOL_VERSION: ProtocolVersion = { major: 1, minor: 0 };

/** What a peer that sends no version header speaks (every Cairn before the header). */
export const LEGACY_PROTOCOL_VERSION: ProtocolVersion = { major: 1, minor: 0 };

/** The header carrying the sender's version, on requests, answers and the 101 of a stream. */
export const PROTOCOL_HEADER = 'x-cairn-protocol';

/** The HTTP status of a refusal for an incompatible major (RFC 9110: 426 Upgrade Required). */
export const PROTOCOL_REFUSED_STATUS = 426;

/**
 * Test-suite override of this process's version (`1.1`, `2.0`), honoured only in processes
 * the suite starts (CAIRN_TESTING=1): it lets a test run a "newer" or "other major" build.
 */
export const PROTOCOL_OVERRIDE_VARIABLE = 'CAIRN_TEST_PROTOCOL_VERSION';

const VERSION = /^(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})$/;

/** Parses `major.minor`; undefined for anything else (the header is the peer's to fill). */
export function parseProtocolVersion(text: string | undefined): ProtocolVersion | undefined {
  const match = VERSION.exec(text ?? '');
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

/** `major.minor`. */
export function formatProtocolVersion(version: ProtocolVersion): string {
  return `${version.major}.${version.minor}`;
}

/** The version this process speaks: PROTOCOL_VERSION unless a test overrides it. */
export function localProtocolVersion(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ProtocolVersion {
  if (env.CAIRN_TESTING !== '1') return PROTOCOL_VERSION;
  return parseProtocolVersion(env[PROTOCOL_OVERRIDE_VARIABLE]) ?? PROTOCOL_VERSION;
}

/** The outcome of reading a peer's header: its version, or why it is refused. */
export type PeerProtocol =
  { ok: true; version: ProtocolVersion } | { ok: false; version?: ProtocolVersion; error: string };

/**
 * Checks a peer's version header against ours. No header is the legacy version; a malformed
 * one is refused; a different major is refused with both versions named.
 */
export function checkPeerProtocol(
  local: ProtocolVersion,
  header: string | string[] | undefined,
  peer: string,
): PeerProtocol {
  if (header === undefined) return compare(local, LEGACY_PROTOCOL_VERSION, peer);
  const version = typeof header === 'string' ? parseProtocolVersion(header) : undefined;
  if (!version) return { ok: false, error: `${peer} sent a malformed protocol version` };
  return compare(local, version, peer);
}

function compare(local: ProtocolVersion, version: ProtocolVersion, peer: string): PeerProtocol {
  if (version.major === local.major) return { ok: true, version };
  return { ok: false, version, error: incompatibleMessage(local, version, peer) };
}

/** The refusal naming both versions, as both ends report it. */
export function incompatibleMessage(
  local: ProtocolVersion,
  remote: ProtocolVersion,
  peer: string,
): string {
  return (
    `incompatible internal protocol: this process speaks ${formatProtocolVersion(local)}, ` +
    `${peer} speaks ${formatProtocolVersion(remote)} (a cluster's processes must share ` +
    'the major version; upgrade one major at a time, every process)'
  );
}

/** Raised by the internal client when a peer speaks another major (or refused ours). */
export class ProtocolMismatchError extends Error {
  readonly status = PROTOCOL_REFUSED_STATUS;
  readonly code = 'CAIRN_PROTOCOL_MISMATCH';
}
