/**
 * The at-rest format of an encrypted object's bytes: the plaintext cut into fixed-size
 * chunks (CHUNK_PLAIN_BYTES), each sealed on its own with AES-256-GCM under the version's
 * data key and stored as ciphertext followed by its 16-byte tag. A chunk's nonce is its
 * index in the object, so a chunk moved to another place (or another object: every version
 * has its own data key) fails its tag; a shortened block is caught by its length, which the
 * manifest's plaintext size fixes. A block of `blockSize` plain bytes holds the chunks of
 * its bytes only, so a Range read fetches the blocks it always did and opens only the chunks
 * it needs. Pure: keys and bytes in, bytes out; a failed check throws SealedChunkError.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

/** Plain bytes per chunk. */
export const CHUNK_PLAIN_BYTES = 64 * 1024;
/** The GCM tag after each chunk's ciphertext. */
export const TAG_BYTES = 16;
const NONCE_BYTES = 12;
const ALGORITHM = 'aes-256-gcm';

/** Stored bytes that fail their check: tampered, truncated, reordered or the wrong key. */
export class SealedChunkError extends Error {}

/** Chunks in `plainBytes` bytes (a block, or an inline object). */
export function chunksIn(plainBytes: number, chunkBytes = CHUNK_PLAIN_BYTES): number {
  return Math.ceil(plainBytes / chunkBytes);
}

/** Stored bytes of `plainBytes` bytes of plaintext. */
export function sealedLength(plainBytes: number, chunkBytes = CHUNK_PLAIN_BYTES): number {
  return plainBytes + chunksIn(plainBytes, chunkBytes) * TAG_BYTES;
}

/** The index in its object of block `n`'s first chunk. */
export function firstChunkOf(n: number, blockSize: number, chunkBytes = CHUNK_PLAIN_BYTES) {
  return n * chunksIn(blockSize, chunkBytes);
}

function nonceOf(chunkIndex: number): Buffer {
  const nonce = Buffer.alloc(NONCE_BYTES);
  nonce.writeBigUInt64BE(BigInt(chunkIndex), NONCE_BYTES - 8);
  return nonce;
}

/** Seals `plain` (a block, or an inline object) whose first chunk is `firstChunk`. */
export function sealChunks(
  key: Buffer,
  firstChunk: number,
  plain: Buffer,
  chunkBytes = CHUNK_PLAIN_BYTES,
): Buffer {
  const out = Buffer.allocUnsafe(sealedLength(plain.length, chunkBytes));
  let at = 0;
  for (let c = 0; c * chunkBytes < plain.length; c++) {
    const cipher = createCipheriv(ALGORITHM, key, nonceOf(firstChunk + c));
    const part = plain.subarray(c * chunkBytes, (c + 1) * chunkBytes);
    at += cipher.update(part).copy(out, at);
    at += cipher.final().copy(out, at);
    at += cipher.getAuthTag().copy(out, at);
  }
  return out;
}

/** What openRange needs to know of the sealed bytes it is given. */
export interface SealedRun {
  /** The stored bytes: a whole block (or inline object) as sealChunks made it. */
  sealed: Buffer;
  /** The index in the object of its first chunk. */
  firstChunk: number;
  /** The plain bytes it holds, as the manifest says: a shorter `sealed` was truncated. */
  plainBytes: number;
}

/**
 * Plain bytes [from, to) of a sealed run, opening only the chunks that hold them. Throws
 * SealedChunkError when the run's length or any opened chunk's tag is not as sealed.
 */
export function openRange(
  key: Buffer,
  run: SealedRun,
  from: number,
  to: number,
  chunkBytes = CHUNK_PLAIN_BYTES,
): Buffer {
  const pieces = openRangePieces(key, run, from, to, chunkBytes);
  return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
}

/**
 * openRange as the opened chunks' bytes, in order, never copied into one buffer: a stream
 * sends them as they are (a whole block of small chunks would otherwise be copied again).
 */
export function openRangePieces(
  key: Buffer,
  run: SealedRun,
  from: number,
  to: number,
  chunkBytes = CHUNK_PLAIN_BYTES,
): Buffer[] {
  if (run.sealed.length !== sealedLength(run.plainBytes, chunkBytes)) {
    throw new SealedChunkError('encrypted block has the wrong length');
  }
  if (to <= from) return [Buffer.alloc(0)];
  const first = Math.floor(from / chunkBytes);
  const last = Math.floor((to - 1) / chunkBytes);
  const pieces: Buffer[] = [];
  for (let c = first; c <= last; c++) {
    const plain = openChunk(key, run, c, chunkBytes);
    const start = Math.max(from - c * chunkBytes, 0);
    const end = Math.min(to - c * chunkBytes, plain.length);
    pieces.push(start === 0 && end === plain.length ? plain : plain.subarray(start, end));
  }
  return pieces;
}

function openChunk(key: Buffer, run: SealedRun, c: number, chunkBytes: number): Buffer {
  const stride = chunkBytes + TAG_BYTES;
  const plainBytes = Math.min(chunkBytes, run.plainBytes - c * chunkBytes);
  const start = c * stride;
  const body = run.sealed.subarray(start, start + plainBytes);
  const tag = run.sealed.subarray(start + plainBytes, start + plainBytes + TAG_BYTES);
  const decipher = createDecipheriv(ALGORITHM, key, nonceOf(run.firstChunk + c));
  decipher.setAuthTag(tag);
  try {
    // GCM's final() yields no bytes: it only checks the tag (throwing when it fails).
    const plain = decipher.update(body);
    decipher.final();
    return plain;
  } catch {
    throw new SealedChunkError(`encrypted chunk ${run.firstChunk + c} failed its check`);
  }
}
