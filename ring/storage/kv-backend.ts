/**
 * The one seam between a vnode and its disk: an ordered byte-key store with atomic batches.
 * LevelDB (classic-level) in production, an in-memory map in simulations; one conformance
 * suite runs against both. It knows nothing of keyspaces, partitions or blobs.
 */

/** One mutation in an atomic batch. */
export type KvOp = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

/** A key range; bounds are byte-wise. */
export interface KvRange {
  gt?: Buffer;
  gte?: Buffer;
  lt?: Buffer;
  /** At most this many entries come back. */
  limit: number;
}

/** An ordered key-value store. */
export interface KvBackend {
  get(key: Buffer): Promise<Buffer | undefined>;
  /** Applies every op or none; with `sync`, returns only once they are on disk. */
  write(ops: readonly KvOp[], options: { sync: boolean }): Promise<void>;
  range(range: KvRange): Promise<Array<[Buffer, Buffer]>>;
  close(): Promise<void>;
}
