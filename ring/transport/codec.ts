/**
 * Wire encoding of node messages for network transports: a length-prefixed JSON header in
 * which every Buffer is replaced by a reference into the raw bytes that follow it. Object
 * blocks cross the network without base64 or JSON inflation, and every message type is
 * encoded the same way, so adding one needs no codec change. Pure; both ends share it.
 */

const BUFFER_TAG = '$buf';

/** Encodes any JSON-like value whose leaves may be Buffers. */
export function encodeMessage(message: unknown): Buffer {
  const payloads: Buffer[] = [];
  let offset = 0;
  const json = JSON.stringify(message, function (this: unknown, key, value: unknown) {
    const raw = (this as Record<string, unknown>)[key];
    if (Buffer.isBuffer(raw)) {
      payloads.push(raw);
      const ref = { [BUFFER_TAG]: [offset, raw.length] };
      offset += raw.length;
      return ref;
    }
    return value;
  });
  const header = Buffer.from(json ?? 'null', 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(header.length, 0);
  return Buffer.concat([length, header, ...payloads]);
}

/** Decodes what encodeMessage produced; throws on a malformed frame. */
export function decodeMessage<T>(data: Buffer): T {
  if (data.length < 4) throw new Error('frame too short');
  const length = data.readUInt32BE(0);
  if (4 + length > data.length) throw new Error('frame header truncated');
  const payload = data.subarray(4 + length);
  return JSON.parse(data.subarray(4, 4 + length).toString('utf8'), (_key, value: unknown) => {
    if (value && typeof value === 'object' && BUFFER_TAG in value) {
      const [at, size] = (value as Record<string, [number, number]>)[BUFFER_TAG]!;
      if (!Number.isInteger(at) || !Number.isInteger(size) || at + size > payload.length) {
        throw new Error('buffer reference out of range');
      }
      return payload.subarray(at, at + size);
    }
    return value;
  }) as T;
}
