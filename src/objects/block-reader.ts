/**
 * How a GET fetches one block: the block id of its version at its offset, from whichever
 * replica holds an intact copy. A copy is intact when its length is what the manifest makes
 * it (the block's plain bytes, or their sealed length for an encrypted version): a storage
 * node may answer with a short copy (a blob file read while it was being rewritten, a
 * replica that kept part of a write), and once the response headers are out, bytes missing
 * from the middle of a body would shift every byte after them and leave the response short
 * of its Content-Length. So a short or long copy is never sent: another replica's is used,
 * and with none the read fails, which cuts the connection (the client sees a truncated body).
 */
import type { RingClient } from '../../ring/client.js';
import { KEYSPACES } from '../../ring/keyspaces.js';
import { sealedLength } from './encryption/chunked-gcm.js';
import { blockKey } from './manifest.js';

/** Which block a read wants and how many plain bytes the manifest says it holds. */
export interface WantedBlock {
  versionId: string;
  n: number;
  bytes: number;
}

/** No replica holds an intact copy of a block: the read cannot go on. */
export class BlockUnreadableError extends Error {
  readonly code = 'BLOCK_UNREADABLE';
}

/** The stored length of a block of `plainBytes` (sealed when `chunkBytes` is given). */
export function storedBlockBytes(plainBytes: number, chunkBytes?: number): number {
  return chunkBytes === undefined ? plainBytes : sealedLength(plainBytes, chunkBytes);
}

/**
 * Block `block` as stored, from a replica whose copy has the stored length; rejects with
 * BlockUnreadableError when no replica has one. `chunkBytes`: the version is encrypted
 * with chunks of that many plain bytes (the chunks' own tags then check their contents).
 */
export async function fetchIntactBlock(
  ring: Pick<RingClient, 'getAccepted'>,
  block: WantedBlock,
  chunkBytes?: number,
): Promise<Buffer> {
  const expected = storedBlockBytes(block.bytes, chunkBytes);
  const data = await ring.getAccepted(
    KEYSPACES.blocks,
    blockKey(block.versionId, block.n),
    '',
    (value) => value.length === expected,
  );
  if (!data) {
    throw new BlockUnreadableError(
      `block ${block.n} of ${block.versionId} missing (no replica holds its ${expected} bytes)`,
    );
  }
  return data;
}
