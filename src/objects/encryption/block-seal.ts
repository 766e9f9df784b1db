/**
 * The object layer's two hooks into the sealed format (chunked-gcm.ts): how block n (or an
 * inline body) is sealed on PUT, and how the bytes a read needs are opened on GET.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { firstChunkOf, openRangePieces, sealChunks } from './chunked-gcm.js';
import type { EncryptionRecord } from './sse-keys.js';

/** An encrypted version's record and its data key, opened for one request. */
export interface OpenKey {
  record: EncryptionRecord;
  dataKey: Buffer;
}

/** Reading an encrypted version without its key: the caller must bring one. */
export class KeyRequiredError extends Error {}

/** Block `n` (of `blockSize` plain bytes a block) sealed for storage. */
export function sealBlock(key: OpenKey, blockSize: number, n: number, plain: Buffer): Buffer {
  const { chunkBytes } = key.record;
  return sealChunks(key.dataKey, firstChunkOf(n, blockSize, chunkBytes), plain, chunkBytes);
}

/** Where the bytes a read wants lie in one stored block (or inline body). */
export interface StoredRun {
  sealed: Buffer;
  /** Block number (0 for an inline body) and the block size the object was cut with. */
  n: number;
  blockSize: number;
  /** Plain bytes in the run, per the manifest. */
  plainBytes: number;
}

/** Plain bytes [from, to) of a stored run, opening only the chunks that hold them. */
export function openRun(key: OpenKey, run: StoredRun, from: number, to: number): Buffer {
  const pieces = openRunPieces(key, run, from, to);
  return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
}

/** openRun as the opened chunks' bytes, in order (not copied into one buffer). */
export function openRunPieces(key: OpenKey, run: StoredRun, from: number, to: number) {
  const { chunkBytes } = key.record;
  const firstChunk = firstChunkOf(run.n, run.blockSize, chunkBytes);
  return openRangePieces(
    key.dataKey,
    { sealed: run.sealed, firstChunk, plainBytes: run.plainBytes },
    from,
    to,
    chunkBytes,
  );
}

/**
 * The ETag of an SSE-C object: AWS's is not the plaintext's MD5 (which would let anyone
 * who can list the bucket confirm a guessed content), so it is a MAC of it under the data
 * key, hex like an MD5. SSE-S3 objects keep the MD5, as on AWS.
 */
export function sealedEtag(key: OpenKey | undefined, md5Hex: string): string {
  if (key?.record.kind !== 'customer') return md5Hex;
  return createHmac('sha256', key.dataKey).update(md5Hex).digest('hex').slice(0, 32);
}

/**
 * The key of one part of a multipart version: derived (HKDF-SHA256) from the version's data
 * key, the part number and the part's own block id, so every upload of a part has its own
 * nonce space (a re-sent part number never reuses a nonce under one key) and a block moved
 * to another part, or a part put at another number, fails its tag.
 */
export function partKey(key: OpenKey, partNumber: number, partVersionId: string): OpenKey {
  const info = `cairn sse part ${partNumber} ${partVersionId}`;
  const dataKey = Buffer.from(hkdfSync('sha256', key.dataKey, Buffer.alloc(0), info, 32));
  return { record: key.record, dataKey };
}
