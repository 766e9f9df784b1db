/**
 * Decides whether a PUT body is small enough to be stored in its manifest (one durable
 * write instead of a block and a manifest) without buffering more than it must: it reads
 * the body only until the bytes pass the inline limit. A larger body goes on streaming, the
 * bytes already read first, so memory stays flat whatever the object size.
 */
import type { Readable } from 'node:stream';

/** A body read to its end within the limit: its bytes. */
export interface SmallBody {
  kind: 'small';
  data: Buffer;
}

/** A body past the limit: the whole of it, as a stream that starts with what was read. */
export interface LargeBody {
  kind: 'large';
  stream: AsyncIterable<Buffer>;
}

/**
 * Reads `body` until it ends (at most `limitBytes`: small) or passes `limitBytes` (large).
 * A limit below zero never reads: every body is large.
 */
export async function splitSmallBody(
  body: AsyncIterable<Buffer> | Readable,
  limitBytes: number,
): Promise<SmallBody | LargeBody> {
  const source = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  while (size <= limitBytes) {
    const next = await source.next();
    if (next.done) return { kind: 'small', data: concat(head, size) };
    head.push(next.value);
    size += next.value.length;
  }
  return { kind: 'large', stream: prefixed(head, source) };
}

function concat(chunks: Buffer[], size: number): Buffer {
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

/** The chunks already read, then the rest; stopping early also stops (destroys) the source. */
async function* prefixed(head: Buffer[], source: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  let finished = false;
  try {
    for (const chunk of head.splice(0)) yield chunk;
    for (;;) {
      const next = await source.next();
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!finished) await source.return?.();
  }
}
