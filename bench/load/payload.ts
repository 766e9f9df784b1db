/**
 * Request bodies of the load generator. A large object is a virtual stream: one random chunk
 * repeated, handed out as views of that chunk, so a 64 MiB body costs the generator one
 * ~1 MB buffer and no hashing. The chunk is not a power of two, so the server's blocks are
 * not identical copies of each other.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A body the client streams: its length and its bytes in order. */
export interface BodySource {
  bytes: number;
  chunks(): Iterable<Buffer>;
}

/** Size of the repeated chunk: about 1 MB, deliberately not a multiple of any block size. */
export const CHUNK_BYTES = 1_000_003;

/** A fresh random chunk for `repeatedBody`. */
export function randomChunk(bytes = CHUNK_BYTES): Buffer {
  return randomBytes(bytes);
}

/** A body held in memory (small objects, XML). */
export function bufferBody(data: Buffer): BodySource {
  return { bytes: data.length, chunks: () => [data] };
}

/**
 * Bytes [offset, offset + bytes) of the endless repetition of `chunk`, as views of `chunk`.
 *
 * @param bytes - length of the body.
 * @param offset - where in the repetition the body starts (parts of one multipart object).
 */
export function repeatedBody(chunk: Buffer, bytes: number, offset = 0): BodySource {
  if (chunk.length === 0) throw new RangeError('empty chunk');
  return {
    bytes,
    *chunks() {
      let position = offset;
      const end = offset + bytes;
      while (position < end) {
        const from = position % chunk.length;
        const to = Math.min(chunk.length, from + (end - position));
        yield chunk.subarray(from, to);
        position += to - from;
      }
    },
  };
}

/** Hex MD5 of a body, streamed from its chunks (run outside any timed section). */
export function bodyMd5Hex(body: BodySource): string {
  const md5 = createHash('md5');
  for (const chunk of body.chunks()) md5.update(chunk);
  return md5.digest('hex');
}
