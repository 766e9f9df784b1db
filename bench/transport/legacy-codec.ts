/**
 * The message encoder as it was before the transport work (commit dd6e804), kept only so
 * `npm run bench:transport` can measure today's transport as it was: a JSON.stringify
 * replacer, which sees each Buffer after Buffer.prototype.toJSON has expanded its bytes.
 * Same bytes as ring/transport/codec.ts writes now (test/unit/ring/codec.test.ts).
 */

/** Encodes `message` the old way. */
export function legacyEncodeMessage(message: unknown): Buffer {
  const payloads: Buffer[] = [];
  let offset = 0;
  const json = JSON.stringify(message, function (this: unknown, key, value: unknown) {
    const raw = (this as Record<string, unknown>)[key];
    if (Buffer.isBuffer(raw)) {
      payloads.push(raw);
      const ref = { $buf: [offset, raw.length] };
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
