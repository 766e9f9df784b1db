/**
 * The fuzz test's requests, as raw bytes. Each case says whether the server must refuse
 * it: anything signed and then altered, and every certainly-malformed XML body, must be
 * refused; requests signed correctly go only to the scratch bucket, whose state the test
 * ignores, so whatever they are allowed to do cannot hide a change elsewhere.
 */
import { createHash } from 'node:crypto';
import { signV2 } from '../../src/auth/sigv2.js';
import { signV4 } from '../../src/auth/sigv4-client.js';
import {
  anyXml,
  encodeKey,
  malformedXml,
  randomHeader,
  randomMethod,
  randomPath,
  randomQuery,
  type Rng,
  XML_BODIES,
} from './fuzz-random.js';

/** One request to send. */
export interface FuzzCase {
  kind: string;
  bytes: Buffer;
  /** Send, then drop the connection without waiting: a body cut off mid-way. */
  cut?: boolean;
  /** A 2xx answer to this request is a bug. */
  mustReject: boolean;
}

/** What the generators know about the server and its fixed state. */
export interface FuzzWorld {
  port: number;
  keyId: string;
  secret: string;
  keep: string;
  scratch: string;
  keepKeys: readonly string[];
  keepUploadKey: string;
  keepUploadId: string;
}

type Headers = [string, string][];

interface Draft {
  method: string;
  target: string;
  headers: Headers;
  body: Buffer;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const md5 = (data: Buffer) => createHash('md5').update(data).digest('base64');

/** Serializes a request; adds Content-Length for a body and always `connection: close`. */
export function rawRequest(draft: Draft, options: { length?: number } = {}): Buffer {
  const headers = [...draft.headers];
  const hasLength = headers.some(([name]) => name.toLowerCase() === 'content-length');
  if (!hasLength && (draft.body.length > 0 || options.length !== undefined)) {
    headers.push(['content-length', String(options.length ?? draft.body.length)]);
  }
  headers.push(['connection', 'close']);
  const head = [`${draft.method} ${draft.target} HTTP/1.1`, ...headers.map((h) => h.join(': '))];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), draft.body]);
}

/** Signs a draft with SigV4 (signed payload hash unless given) and returns it complete. */
function signedV4(
  world: FuzzWorld,
  draft: Draft,
  options: { nowMs?: number; secret?: string; keyId?: string; payloadHash?: string } = {},
): Draft {
  const host = `127.0.0.1:${world.port}`;
  const headers: Record<string, string> = { host };
  for (const [name, value] of draft.headers) headers[name.toLowerCase()] = value;
  if (draft.body.length > 0) headers['content-length'] = String(draft.body.length);
  const signed = signV4(
    {
      method: draft.method,
      url: draft.target,
      headers,
      payloadSha256Hex: options.payloadHash ?? sha256(draft.body),
    },
    { accessKeyId: options.keyId ?? world.keyId, secretAccessKey: options.secret ?? world.secret },
    'us-east-1',
    options.nowMs ?? Date.now(),
  );
  return { ...draft, headers: Object.entries({ ...headers, ...signed }) };
}

function keepKey(rng: Rng, world: FuzzWorld): string {
  return rng.pick(world.keepKeys);
}

/** A state-changing (or reading) S3 request on `bucket`, before signing. */
function baseDraft(rng: Rng, world: FuzzWorld, bucket: string): Draft {
  const key = `/${bucket}/${encodeKey(keepKey(rng, world))}`;
  const uploadId = encodeURIComponent(world.keepUploadId);
  const upload = `/${bucket}/${encodeKey(world.keepUploadKey)}?uploadId=${uploadId}`;
  const none = Buffer.alloc(0);
  const xml = (name: string) => Buffer.from(XML_BODIES[name]!);
  const copySource = `/${world.keep}/${encodeKey(keepKey(rng, world))}`;
  const drafts: [string, string, Headers, () => Buffer][] = [
    ['PUT', key, [], () => rng.bytes(100)],
    ['DELETE', key, [], () => none],
    ['DELETE', `/${bucket}`, [], () => none],
    ['PUT', `/fuzz-new-${rng.int(0, 99)}`, [], () => none],
    ['PUT', `/${bucket}?tagging`, [], () => xml('PutBucketTagging')],
    ['PUT', `/${bucket}?cors`, [], () => xml('PutBucketCors')],
    ['DELETE', `/${bucket}?cors`, [], () => none],
    ['PUT', `/${bucket}?versioning`, [], () => xml('PutBucketVersioning')],
    ['PUT', `${key}?tagging`, [], () => xml('PutObjectTagging')],
    [
      'POST',
      `/${bucket}?delete`,
      [['content-md5', md5(xml('DeleteObjects'))]],
      () => xml('DeleteObjects'),
    ],
    ['PUT', key, [['x-amz-copy-source', copySource]], () => none],
    ['DELETE', upload, [], () => none],
    ['POST', upload, [], () => xml('CompleteMultipartUpload')],
    ['PUT', `${upload}&partNumber=2`, [], () => rng.bytes(64)],
    ['POST', `${key}?uploads`, [], () => none],
    [rng.pick(['GET', 'HEAD']), randomReadTarget(rng, world), [], () => none],
  ];
  const [method, target, headers, body] = rng.pick(drafts);
  return { method, target, headers: [...headers], body: body() };
}

function randomReadTarget(rng: Rng, world: FuzzWorld): string {
  return `${randomPath(rng, world.keepKeys)}?${randomQuery(rng, [world.keepUploadId])}`;
}

/** Anyone, unsigned: random method, target, query, headers and body. */
export function anonymousCase(rng: Rng, world: FuzzWorld): FuzzCase {
  const query = rng.chance(0.6) ? `?${randomQuery(rng, [world.keepUploadId])}` : '';
  const headers: Headers = [['host', rng.chance(0.95) ? '127.0.0.1' : 'fuzz-keep.127.0.0.1']];
  for (let i = rng.int(0, 4); i > 0; i--) headers.push(randomHeader(rng));
  const safe = headers.filter(([n]) => !/^(content-length|transfer-encoding)$/i.test(n));
  const body = rng.chance(0.3) ? anyXml(rng, rng.pick(Object.values(XML_BODIES))) : Buffer.alloc(0);
  const draft = { method: randomMethod(rng), target: randomPath(rng, world.keepKeys) + query };
  // Length headers that disagree with the body would leave the server waiting for bytes
  // that never come (bodies are never timed), and the test fails a request left without an
  // answer; so they are tried only without a body, and a chunked one gets its last chunk.
  const chosen = body.length > 0 ? safe : headers;
  const owed = body.length > 0 ? Buffer.alloc(0) : promisedBody(chosen);
  return {
    kind: 'anonymous',
    bytes: Buffer.concat([rawRequest({ ...draft, headers: chosen, body }), owed]),
    mustReject: true,
  };
}

/** The body bytes the length headers of a bodiless request promise, sent so that none is owed. */
function promisedBody(headers: Headers): Buffer {
  const values = (name: string) =>
    headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v.trim().toLowerCase());
  const encoding = values('transfer-encoding').join(',').split(',').at(-1)?.trim();
  if (encoding === 'chunked') return Buffer.from('0\r\n\r\n', 'latin1');
  const length = values('content-length')[0];
  if (length !== undefined && /^\d{1,6}$/.test(length)) return Buffer.alloc(Number(length), 'x');
  return Buffer.alloc(0);
}

/** A correctly signed request, then one change that must make the server refuse it. */
export function signedMutatedCase(rng: Rng, world: FuzzWorld): FuzzCase {
  const draft = baseDraft(rng, world, world.keep);
  const mutation = rng.int(0, 8);
  const pick = (nowMs?: number, secret?: string, keyId?: string) =>
    signedV4(world, draft, { nowMs, secret, keyId });
  const reject = (kind: string, bytes: Buffer): FuzzCase => ({ kind, bytes, mustReject: true });
  switch (mutation) {
    case 0:
      return reject('flipped-signature', rawRequest(flipSignature(rng, pick())));
    case 1: {
      const skewMs = rng.pick([16 * 60_000, 86_400_000, 20 * 365 * 86_400_000]);
      return reject(
        'wrong-date',
        rawRequest(pick(Date.now() + (rng.chance(0.5) ? skewMs : -skewMs))),
      );
    }
    case 2:
      return reject('wrong-secret', rawRequest(pick(undefined, `${world.secret}x`)));
    case 3:
      return reject('unknown-key', rawRequest(pick(undefined, undefined, 'AKIAFUZZFUZZFUZZFUZZ')));
    case 4: {
      const signed = pick();
      return reject('tampered-path', rawRequest({ ...signed, target: `/x${signed.target}` }));
    }
    case 5: {
      const signed = pick();
      const sep = signed.target.includes('?') ? '&' : '?';
      return reject(
        'tampered-query',
        rawRequest({ ...signed, target: `${signed.target}${sep}x=1` }),
      );
    }
    case 6:
      return reject('tampered-header', rawRequest(tamperHeader(rng, pick())));
    case 7:
      // Only a body the server reads can contradict its hash; without one, flip the signature.
      if (draft.body.length === 0)
        return reject('flipped-signature', rawRequest(flipSignature(rng, pick())));
      return reject('bad-content-sha256', rawRequest(badContentSha(rng, world, draft)));
    default:
      return truncatedCase(rng, world);
  }
}

function flipSignature(rng: Rng, draft: Draft): Draft {
  const headers = draft.headers.map(([name, value]): [string, string] => {
    if (name !== 'authorization') return [name, value];
    const at = value.length - rng.int(1, 64);
    const swapped = value[at] === 'a' ? 'b' : 'a';
    return [name, value.slice(0, at) + swapped + value.slice(at + 1)];
  });
  return { ...draft, headers };
}

function tamperHeader(rng: Rng, draft: Draft): Draft {
  const choice = rng.int(0, 2);
  const headers = draft.headers.map(([name, value]): [string, string] => {
    if (choice === 0 && name === 'x-amz-date')
      return [name, value.replace(/\d(?=Z$)/, (d) => String((+d + 1) % 10))];
    if (choice === 1 && name === 'authorization')
      return [name, value.slice(0, rng.int(0, value.length - 1))];
    return [name, value];
  });
  if (choice === 2) headers.push(['x-amz-meta-added', 'after-signing']);
  if (choice === 2 && rng.chance(0.5)) headers.push(['authorization', 'AWS x:y']);
  return { ...draft, headers };
}

/** Signed over one body, sent with another of the same length. */
function badContentSha(rng: Rng, world: FuzzWorld, draft: Draft): Draft {
  const signed = signedV4(world, draft);
  const sent = Buffer.from(draft.body);
  const at = rng.int(0, sent.length - 1);
  sent.writeUInt8(sent.readUInt8(at) ^ 0x01, at); // range-checked, unlike sent[at]
  return { ...signed, body: sent };
}

/** A signed PUT over a kept object that stops half-way: the old object must survive. */
export function truncatedCase(rng: Rng, world: FuzzWorld): FuzzCase {
  const body = rng.bytes(rng.int(2, 200_000));
  const draft = {
    method: 'PUT',
    target: `/${world.keep}/${encodeKey(keepKey(rng, world))}`,
    headers: [] as Headers,
    body,
  };
  const signed = signedV4(world, draft, { payloadHash: 'UNSIGNED-PAYLOAD' });
  const bytes = rawRequest(signed);
  return {
    kind: 'truncated-body',
    bytes: bytes.subarray(0, bytes.length - rng.int(1, body.length)),
    cut: true,
    mustReject: true,
  };
}

/** Signed correctly, with an XML body that cannot be valid, on the kept bucket. */
export function malformedXmlCase(rng: Rng, world: FuzzWorld): FuzzCase {
  const key = encodeKey(keepKey(rng, world));
  const upload = `uploadId=${encodeURIComponent(world.keepUploadId)}`;
  const targets: [string, string, string][] = [
    ['PUT', `/fuzz-new-${rng.int(0, 99)}`, 'CreateBucket'],
    ['PUT', `/${world.keep}?versioning`, 'PutBucketVersioning'],
    ['PUT', `/${world.keep}?tagging`, 'PutBucketTagging'],
    ['PUT', `/${world.keep}/${key}?tagging`, 'PutObjectTagging'],
    ['PUT', `/${world.keep}?cors`, 'PutBucketCors'],
    ['POST', `/${world.keep}?delete`, 'DeleteObjects'],
    [
      'POST',
      `/${world.keep}/${encodeKey(world.keepUploadKey)}?${upload}`,
      'CompleteMultipartUpload',
    ],
  ];
  const [method, target, op] = rng.pick(targets);
  const body = malformedXml(rng, XML_BODIES[op]!);
  const headers: Headers = op === 'DeleteObjects' ? [['content-md5', md5(body)]] : [];
  return {
    kind: `malformed-xml:${op}`,
    bytes: rawRequest(signedV4(world, { method, target, headers, body })),
    mustReject: true,
  };
}

/** Headers the signer sets itself, or that would leave the server waiting for bytes. */
const SCRATCH_HEADERS_SKIPPED =
  /^(content-length|transfer-encoding|authorization|x-amz-date|x-amz-content-sha256|expect)$/;

/** Signed correctly, anything goes, on the scratch bucket only. */
export function scratchCase(rng: Rng, world: FuzzWorld): FuzzCase {
  const draft = rng.chance(0.05)
    ? { method: 'PUT', target: `/${world.scratch}`, headers: [], body: Buffer.alloc(0) }
    : baseDraft(rng, world, world.scratch);
  if (!draft.target.startsWith(`/${world.scratch}`))
    draft.target = `/${world.scratch}/k${rng.int(0, 9)}`;
  if (draft.target.startsWith(`/${world.scratch}/`) && rng.chance(0.3)) {
    const sep = draft.target.includes('?') ? '&' : '?';
    draft.target += `${sep}${randomQuery(rng, [world.keepUploadId])}`;
  }
  if (draft.body.length > 0 && rng.chance(0.5))
    draft.body = anyXml(rng, draft.body.toString('latin1'));
  for (let i = rng.int(0, 2); i > 0; i--) {
    const header = randomHeader(rng);
    if (!SCRATCH_HEADERS_SKIPPED.test(header[0])) draft.headers.push(header);
  }
  const bytes = rawRequest(signedV4(world, draft));
  // Oversized: bytes past Content-Length, which the server must read as the next request.
  const extra = rng.chance(0.1) ? rng.bytes(rng.int(1, 500)) : Buffer.alloc(0);
  return { kind: 'scratch', bytes: Buffer.concat([bytes, extra]), mustReject: false };
}

/** Headers past Node's 16 KiB limit, or very many of them. */
export function hugeHeaderCase(rng: Rng, world: FuzzWorld): FuzzCase {
  const headers: Headers = [['host', '127.0.0.1']];
  if (rng.chance(0.5)) headers.push(['x-amz-meta-big', 'x'.repeat(rng.int(8_000, 70_000))]);
  else for (let i = rng.int(100, 3000); i > 0; i--) headers.push([`x-amz-meta-h${i}`, 'v']);
  const draft = {
    method: rng.pick(['GET', 'PUT']),
    target: `/${world.keep}/${encodeKey(keepKey(rng, world))}`,
    headers,
    body: Buffer.alloc(0),
  };
  return { kind: 'huge-headers', bytes: rawRequest(draft), mustReject: true };
}

/** SigV2-signed, then altered: a flipped signature, a stale date or a moved path. */
export function sigV2MutatedCase(rng: Rng, world: FuzzWorld): FuzzCase {
  const draft = baseDraft(rng, world, world.keep);
  const mutation = rng.int(0, 2);
  const nowMs = mutation === 1 ? Date.now() - rng.pick([16 * 60_000, 86_400_000]) : Date.now();
  const headers: Record<string, string> = { host: `127.0.0.1:${world.port}` };
  for (const [name, value] of draft.headers) headers[name] = value;
  const signed = signV2(
    { method: draft.method, rawUrl: draft.target, headers },
    { accessKeyId: world.keyId, secretAccessKey: world.secret },
    nowMs,
  );
  let target = draft.target;
  if (mutation === 0)
    signed.authorization = signed.authorization!.replace(
      /.(=*)$/,
      (c, pad: string) => `${c[0] === 'A' ? 'B' : 'A'}${pad}`,
    );
  if (mutation === 2) target = `/y${target}`;
  return {
    kind: 'sigv2-mutated',
    bytes: rawRequest({ ...draft, target, headers: Object.entries({ ...headers, ...signed }) }),
    mustReject: true,
  };
}

/**
 * A signed aws-chunked upload over a kept object whose framing or chunk signatures are
 * wrong, or an unsigned-trailer upload whose trailing checksum is wrong: never stored.
 */
export function streamingGarbageCase(rng: Rng, world: FuzzWorld): FuzzCase {
  const data = rng.bytes(rng.int(1, 3000));
  const fakeSignature = () => rng.bytes(32).toString('hex');
  const size = data.length.toString(16);
  const trailer = rng.chance(0.3);
  const bodies = trailer
    ? [`${size}\r\n${data.toString('latin1')}\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n`]
    : [
        `${size};chunk-signature=${fakeSignature()}\r\n${data.toString('latin1')}\r\n` +
          `0;chunk-signature=${fakeSignature()}\r\n\r\n`,
        `zz;chunk-signature=${fakeSignature()}\r\n${data.toString('latin1')}\r\n`,
        `ffffffff;chunk-signature=${fakeSignature()}\r\n${data.toString('latin1')}`,
        `${size}\r\n${data.toString('latin1')}\r\n0\r\n\r\n`,
        data.toString('latin1'),
      ];
  const body = Buffer.from(rng.pick(bodies), 'latin1');
  const headers: Headers = [
    ['content-encoding', 'aws-chunked'],
    ['x-amz-decoded-content-length', String(data.length)],
  ];
  if (trailer) headers.push(['x-amz-trailer', 'x-amz-checksum-crc32']);
  const draft = { method: 'PUT', target: `/${world.keep}/${encodeKey(keepKey(rng, world))}` };
  const payloadHash = trailer
    ? 'STREAMING-UNSIGNED-PAYLOAD-TRAILER'
    : 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
  const signed = signedV4(world, { ...draft, headers, body }, { payloadHash });
  return { kind: 'streaming-garbage', bytes: rawRequest(signed), mustReject: true };
}
