/**
 * How the processes of a cluster (storage nodes, stanchions, S3 front ends, cairn-admin)
 * prove to each other that they know the cluster cookie without ever sending it: each
 * request carries an HMAC, keyed by the cookie, over its method, path and query, content
 * type, body digest, a timestamp and a nonce. A server accepts a signature only within
 * ±5 minutes of its own clock, compares it in constant time, and refuses one it has already
 * accepted (a replay). Pure: time is an argument; the shells pass Date.now().
 *
 * It must never put the cookie, or the key derived from it, in a header, a log line or an
 * error message.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The request header that carries the signature. */
export const INTERNAL_AUTH_HEADER = 'x-cairn-auth';
/** The signature scheme, the header value's first word. */
export const INTERNAL_AUTH_SCHEME = 'CAIRN1-HMAC-SHA256';
/** How far a request's timestamp may be from the server's clock, either way, in ms. */
export const INTERNAL_SKEW_MS_MAX = 5 * 60_000;
/** The shortest cookie accepted: shorter ones can be guessed offline from one signature. */
export const COOKIE_CHARS_MIN = 16;

const HEADER_CHARS_MAX = 200;
const HEADER = /^CAIRN1-HMAC-SHA256 t=(\d{1,15}),n=([A-Za-z0-9_-]{16,64}),s=([0-9a-f]{64})$/;
const EMPTY_DIGEST = createHash('sha256').digest('hex');

/** What a signature covers, besides the key. */
export interface SignedRequest {
  /** HTTP method, upper case. */
  method: string;
  /** Path and query exactly as on the request line (origin form). */
  path: string;
  /** The content-type header, or '' when there is none. */
  contentType: string;
  /** SHA-256 of the body, lower-case hex (bodyDigest()). */
  bodyDigest: string;
  /**
   * The x-cairn-protocol header as received (undefined: none). Covered through the nonce
   * (protocolNonce), so a signer of the previous minor, whose nonces bind nothing, and a
   * verifier of it, which reads the nonce as opaque, still agree with this one.
   */
  protocol?: string | undefined;
}

/** Why a request was refused: a word for metrics and tests, and a sentence for people. */
export interface InternalAuthRefusal {
  reason: 'missing' | 'malformed' | 'skewed' | 'mismatch' | 'replayed';
  detail: string;
}

/** The signing key: the cookie is never used directly, so it appears in no MAC input. */
export function internalKey(cookie: string): Buffer {
  return createHmac('sha256', cookie).update('cairn internal request key v1').digest();
}

/** SHA-256 of a body (of nothing when there is none), lower-case hex. */
export function bodyDigest(body: Uint8Array | undefined): string {
  if (body === undefined || body.length === 0) return EMPTY_DIGEST;
  return createHash('sha256').update(body).digest('hex');
}

/** The string the HMAC covers: one field per line, none of which may hold a line break. */
export function stringToSign(request: SignedRequest, timeMs: number, nonce: string): string {
  return [
    INTERNAL_AUTH_SCHEME,
    request.method,
    request.path,
    request.contentType.toLowerCase(),
    request.bodyDigest,
    String(timeMs),
    nonce,
  ].join('\n');
}

function mac(key: Buffer, request: SignedRequest, timeMs: number, nonce: string): Buffer {
  return createHmac('sha256', key)
    .update(stringToSign(request, timeMs, nonce))
    .digest();
}

/**
 * The x-cairn-auth header value for `request`, made at `nowMs` with `nonce` (16 to 64
 * letters, digits, `-` or `_`, unique per request: a random UUID).
 */
export function signInternal(
  key: Buffer,
  request: SignedRequest,
  nowMs: number,
  nonce: string,
): string {
  if (/[\s]/.test(request.method + request.path + request.contentType)) {
    throw new Error('an internal request line may not hold white space');
  }
  const signature = mac(key, request, nowMs, nonce).toString('hex');
  return `${INTERNAL_AUTH_SCHEME} t=${nowMs},n=${nonce},s=${signature}`;
}

const BOUND_NONCE = /^p(\d{1,6})_(\d{1,6})-/;

/**
 * A nonce that binds the x-cairn-protocol header `protocol` (`major.minor`) into what the
 * HMAC covers: `p<major>_<minor>-<random>`. Older verifiers see an ordinary nonce.
 */
export function protocolNonce(protocol: string, random: string): string {
  const match = /^(\d{1,6})\.(\d{1,6})$/.exec(protocol);
  if (!match) throw new Error(`not a protocol version: ${protocol}`);
  return `p${match[1]}_${match[2]}-${random}`;
}

/** The protocol version a nonce binds, or undefined for a nonce that binds none. */
export function boundProtocolOf(nonce: string): string | undefined {
  const match = BOUND_NONCE.exec(nonce);
  return match ? `${match[1]}.${match[2]}` : undefined;
}

/** A parsed header: when it was signed, its nonce and its signature. */
export interface ParsedAuth {
  timeMs: number;
  nonce: string;
  signature: Buffer;
}

/** Reads a header value; a refusal when it is absent or not of the scheme's form. */
export function parseInternalAuth(header: string | undefined): ParsedAuth | InternalAuthRefusal {
  if (header === undefined || header === '') {
    return { reason: 'missing', detail: `no ${INTERNAL_AUTH_HEADER} header` };
  }
  const match = header.length <= HEADER_CHARS_MAX ? HEADER.exec(header) : null;
  if (!match) {
    return {
      reason: 'malformed',
      detail: `${INTERNAL_AUTH_HEADER} is not ${INTERNAL_AUTH_SCHEME}`,
    };
  }
  return {
    timeMs: Number(match[1]),
    nonce: match[2]!,
    signature: Buffer.from(match[3]!, 'hex'),
  };
}

/** A refusal when `timeMs` is more than the allowed skew away from `nowMs`. */
export function checkSkew(timeMs: number, nowMs: number): InternalAuthRefusal | undefined {
  const offMs = timeMs - nowMs;
  if (Math.abs(offMs) <= INTERNAL_SKEW_MS_MAX) return undefined;
  return {
    reason: 'skewed',
    detail:
      `signed ${Math.abs(offMs)} ms ${offMs < 0 ? 'before' : 'after'} this process's clock ` +
      `(at most ${INTERNAL_SKEW_MS_MAX} ms either way): check the clocks of the cluster`,
  };
}

/**
 * Checks a request's header against `key` at `nowMs`: its form, its time, its signature (in
 * constant time), and, once all of those hold, that `replay` has not seen it.
 */
export function verifyInternal(
  key: Buffer,
  header: string | undefined,
  request: SignedRequest,
  nowMs: number,
  replay?: ReplayGuard,
): InternalAuthRefusal | undefined {
  const parsed = parseInternalAuth(header);
  if ('reason' in parsed) return parsed;
  const skewed = checkSkew(parsed.timeMs, nowMs);
  if (skewed) return skewed;
  const expected = mac(key, request, parsed.timeMs, parsed.nonce);
  if (!timingSafeEqual(expected, parsed.signature)) {
    return {
      reason: 'mismatch',
      detail: 'the signature does not match this request under this cluster cookie',
    };
  }
  const bound = boundProtocolOf(parsed.nonce);
  if (bound !== undefined && bound !== request.protocol) {
    return { reason: 'mismatch', detail: 'the x-cairn-protocol header is not the one signed' };
  }
  if (replay && !replay.admit(parsed.signature.toString('base64url'), parsed.timeMs, nowMs)) {
    return { reason: 'replayed', detail: 'this signature was already used' };
  }
  return undefined;
}

/**
 * The signatures a server accepted within the skew window, so none is accepted twice. They
 * are kept by the second they were made in. Bounded: past `entriesMax` the oldest second is
 * forgotten early, and from then on signatures made in or before it are refused, so a
 * forgotten one can never be replayed: a busy server's window shrinks, its memory does not
 * grow.
 */
export class ReplayGuard {
  private readonly bySecond = new Map<number, Set<string>>();
  private count = 0;
  private forgottenThroughMs = -Infinity;
  private expiredAtMs = -Infinity;

  constructor(
    private readonly entriesMax: number,
    private readonly windowMs = INTERNAL_SKEW_MS_MAX,
  ) {
    if (!Number.isInteger(entriesMax) || entriesMax < 1) {
      throw new RangeError(`entriesMax must be a positive integer: ${entriesMax}`);
    }
  }

  /** Signatures remembered now. */
  get size(): number {
    return this.count;
  }

  /**
   * Records signature `id` made at `timeMs`; false when it was seen before or is older
   * than what the guard still remembers. A signature covers its time, so a replay has the
   * same `timeMs` as the original.
   */
  admit(id: string, timeMs: number, nowMs: number): boolean {
    if (nowMs - this.expiredAtMs >= 1000) this.expire(nowMs);
    if (timeMs <= this.forgottenThroughMs) return false;
    const second = Math.floor(timeMs / 1000);
    let ids = this.bySecond.get(second);
    if (ids?.has(id)) return false;
    if (!ids) this.bySecond.set(second, (ids = new Set()));
    ids.add(id);
    this.count++;
    while (this.count > this.entriesMax) this.forgetOldestSecond();
    return true;
  }

  private forgetOldestSecond(): void {
    const oldest = Math.min(...this.bySecond.keys());
    this.count -= this.bySecond.get(oldest)!.size;
    this.bySecond.delete(oldest);
    this.forgottenThroughMs = Math.max(this.forgottenThroughMs, oldest * 1000 + 999);
  }

  /** Drops the seconds too old to pass the skew check any more. */
  private expire(nowMs: number): void {
    this.expiredAtMs = nowMs;
    for (const [second, ids] of this.bySecond) {
      if (second * 1000 + 999 >= nowMs - this.windowMs) continue;
      this.count -= ids.size;
      this.bySecond.delete(second);
    }
  }
}
