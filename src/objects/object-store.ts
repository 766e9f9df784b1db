/**
 * The object layer over the ring: PUT cuts a body into blocks and commits a manifest last
 * (a body of at most inlineBytesMax is kept in the manifest itself: no block at all);
 * GET streams blocks back with a small read-ahead; DELETE removes the manifest and queues
 * the blocks for GC. A version is visible only once its manifest is written, so a failed or
 * abandoned upload is never seen by readers.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { RingClient, VersionedRead } from '../../ring/client.js';
import { KEYSPACES } from '../../ring/keyspaces.js';
import type { DeadBlocks, GcQueue } from './gc-queue.js';
import { writeBlocks } from './block-writer.js';
import { fetchIntactBlock } from './block-reader.js';
import { splitSmallBody } from './inline-body.js';
import {
  KeyRequiredError,
  openRun,
  openRunPieces,
  partKey,
  sealBlock,
  sealedEtag,
  type OpenKey,
} from './encryption/block-seal.js';
import {
  blockKey,
  decodeManifest,
  encodeManifest,
  newestIndex,
  type Manifest,
  type ManifestPart,
  type Tag,
} from './manifest.js';
import {
  allParts,
  partsFromOffset,
  ringChunkReader,
  writePartChunks,
  type PartChunkReader,
} from './manifest-parts.js';
import { PARTS_PER_CHUNK } from './part-chunks.js';
import { versionIdGenerator } from './version-id.js';
import { VersionStore } from './version-store.js';

/** Tunables of the object layer. */
export interface ObjectStoreOptions {
  blockSize: number;
  /** Blocks written (or read ahead) at once per request. */
  inFlightMax: number;
  /** Largest single PUT, in bytes (S3: 5 GiB). */
  objectBytesMax: number;
  /**
   * Largest object stored in its manifest record rather than in blocks, in bytes (default
   * MANIFEST_INLINE_BYTES_MAX); below zero, none is.
   */
  inlineBytesMax?: number;
  /** Told of every read of a part-list chunk record (a metric; tests count reads with it). */
  onPartChunkRead?: () => void;
}

/**
 * The default inline limit, in bytes, chosen by measurement (BENCHMARKS.md): at 4 KiB an
 * inline PUT and GET cost less server CPU than a block and a manifest; from 16 KiB they no
 * longer did, and a listing, which reads every manifest's bytes, took twice as long.
 */
export const MANIFEST_INLINE_BYTES_MAX = 8 * 1024;

/** What a PUT brings besides its body. */
export type NewObject = Omit<
  Manifest,
  'format' | 'size' | 'etag' | 'blockCount' | 'blockSize' | 'lastModifiedMs' | 'inline'
>;

/**
 * A check of a write against the version it replaces (`current`; undefined: none), run right
 * before the manifest is written; it throws to refuse. `size` is the new version's size in
 * bytes (absent for a delete): quotas need it, conditional writes ignore it.
 */
export type Precondition = (current: Manifest | undefined, size?: number) => void;

/**
 * Told of every manifest write with the version readers saw before it (undefined: none)
 * and the one they see after (undefined: a delete). Called synchronously after the write,
 * so it must be cheap and must not throw: storage accounting keeps in-memory deltas here.
 */
export interface CommitObserver {
  onCommit(bucketId: string, before: Manifest | undefined, after: Manifest | undefined): void;
}

/** Objects stored on the ring. */
export class ObjectStore {
  /** Reads a chunk of a multipart object's part list (see manifest-parts.ts). */
  readonly partChunks: PartChunkReader;
  /** The versions of versioned buckets' objects (version-store.ts). */
  readonly versions: VersionStore;

  constructor(
    private readonly ring: RingClient,
    private readonly gc: GcQueue,
    private readonly options: ObjectStoreOptions,
    private readonly clock: () => number,
    private readonly observer?: CommitObserver,
  ) {
    this.partChunks = ringChunkReader(ring, options.onPartChunkRead);
    this.versions = new VersionStore({
      ring,
      gc,
      clock,
      newVersionId: versionIdGenerator(clock, randomBytes(4).toString('hex')),
      deadOf: (old) => this.deadOf(old),
      deleteLegacy: (bucketId, key) => this.delete(bucketId, key),
      ...(observer ? { observer } : {}),
    });
  }

  /** The current manifest of (bucketId, key), if any; a delete marker is none. */
  async head(bucketId: string, key: string): Promise<Manifest | undefined> {
    const value = await this.ring.get(KEYSPACES.manifests, bucketId, key);
    const manifest = value ? decodeManifest(value) : undefined;
    return manifest?.deleteMarker ? undefined : manifest;
  }

  /**
   * Stores `body` as the new version of the object. `check` runs after the whole body is
   * written, and `precondition` (given the current version) right before the manifest is:
   * throwing in either leaves the old version in place and queues the new blocks for GC.
   * With `key` (whose record is `object.encryption`) every block, or the inline body, is
   * stored sealed (encryption/chunked-gcm.ts).
   */
  async put(
    object: NewObject,
    body: AsyncIterable<Buffer> | Readable,
    check: (written: { md5: Buffer; size: number }) => void,
    precondition?: Precondition,
    key?: OpenKey,
  ): Promise<Manifest> {
    const split = await splitSmallBody(
      body,
      this.options.inlineBytesMax ?? MANIFEST_INLINE_BYTES_MAX,
    );
    if (split.kind === 'small') {
      return this.putInline(object, split.data, check, precondition, key);
    }
    const { blockSize, inFlightMax, objectBytesMax } = this.options;
    let launched = 0;
    const writeOne = (n: number, plain: Buffer) => {
      launched = Math.max(launched, n + 1);
      const data = key ? sealBlock(key, blockSize, n, plain) : plain;
      return this.ring.put(KEYSPACES.blocks, blockKey(object.versionId, n), '', data);
    };
    let written;
    let current;
    try {
      written = await writeBlocks(
        split.stream,
        { blockSize, inFlightMax, sizeMax: objectBytesMax },
        writeOne,
      );
      check(written);
      current = await this.ring.getVersioned(KEYSPACES.manifests, object.bucketId, object.key);
      precondition?.(resolveCurrent(current.values), written.size);
    } catch (error) {
      const dead = { versionId: object.versionId, blockCount: launched };
      await this.gc.enqueue(dead, this.clock()).catch(() => undefined);
      throw error;
    }
    const manifest: Manifest = {
      ...object,
      format: 1,
      size: written.size,
      etag: sealedEtag(key, written.md5.toString('hex')),
      blockSize,
      blockCount: written.blockCount,
      lastModifiedMs: this.clock(),
    };
    return this.commit(manifest, current);
  }

  /**
   * Stores a small object's bytes in its manifest: the manifest write is the only durable
   * write, and nothing is left for GC when a check or the precondition refuses it.
   */
  private async putInline(
    object: NewObject,
    data: Buffer,
    check: (written: { md5: Buffer; size: number }) => void,
    precondition?: Precondition,
    key?: OpenKey,
  ): Promise<Manifest> {
    const md5 = createHash('md5').update(data).digest();
    check({ md5, size: data.length });
    const manifest: Manifest = {
      ...object,
      format: 1,
      size: data.length,
      etag: sealedEtag(key, md5.toString('hex')),
      blockSize: this.options.blockSize,
      blockCount: 0,
      lastModifiedMs: this.clock(),
      inline: key ? sealBlock(key, this.options.blockSize, 0, data) : data,
    };
    return this.commit(manifest, undefined, precondition);
  }

  /**
   * Rewrites the current version's manifest with `change` (its tags or its ACL), keeping its
   * bytes, version id and Last-Modified, so a concurrent PUT, which is newer, still wins the
   * sibling resolution; undefined when there is no object. `change` may throw to refuse.
   */
  async rewrite(
    bucketId: string,
    key: string,
    change: (current: Manifest) => Manifest,
  ): Promise<Manifest | undefined> {
    const current = await this.ring.getVersioned(KEYSPACES.manifests, bucketId, key);
    const manifest = resolveCurrent(current.values);
    if (!manifest) return undefined;
    if (manifest.orderId !== undefined) return this.versions.rewrite(manifest, change);
    return this.commit(change(manifest), current);
  }

  /** Replaces the tags of the current version (see rewrite); none removes them. */
  setTags(bucketId: string, key: string, tags: Tag[]): Promise<Manifest | undefined> {
    return this.rewrite(bucketId, key, withTags(tags));
  }

  /**
   * Rewrites the version `found` (read with ?versionId): its version record when it has
   * one, else (an unversioned object) the current manifest, as rewrite does.
   */
  rewriteVersion(
    found: Manifest,
    change: (current: Manifest) => Manifest,
  ): Promise<Manifest | undefined> {
    if (found.orderId !== undefined) return this.versions.rewrite(found, change);
    return this.rewrite(found.bucketId, found.key, change);
  }

  /** Replaces the tags of the version `found` (see rewriteVersion). */
  setVersionTags(found: Manifest, tags: Tag[]): Promise<Manifest | undefined> {
    return this.rewriteVersion(found, withTags(tags));
  }

  /**
   * Removes the object (a tombstone); every version it had is queued for GC. `precondition`
   * (given the current version) runs first: throwing leaves the object in place.
   */
  async delete(bucketId: string, key: string, precondition?: Precondition): Promise<void> {
    const current = await this.ring.getVersioned(KEYSPACES.manifests, bucketId, key);
    precondition?.(resolveCurrent(current.values));
    if (current.values.length === 0) return;
    await this.ring.putVersioned(KEYSPACES.manifests, bucketId, key, null, current.context);
    const previous = current.values.map(decodeManifest);
    this.observer?.onCommit(bucketId, newestOf(previous, current.values), undefined);
    for (const old of previous) {
      // A version of a versioned bucket keeps its blocks: its version record holds them.
      if (old.orderId !== undefined) continue;
      await this.gc.enqueue(await this.deadOf(old), this.clock());
    }
  }

  /**
   * Removes what a deleted bucket still holds: objects whose PUT raced the delete (the
   * bucket was empty when stanchion decided). Their blocks go to GC like any deleted
   * object's; the bucket id is never used again, so nothing can be written after this.
   */
  async sweepBucket(bucketId: string, batch = 1000): Promise<number> {
    let swept = 0;
    for (;;) {
      const manifests = await this.scan(bucketId, { limit: batch });
      for (const manifest of manifests) await this.delete(bucketId, manifest.key);
      swept += manifests.length;
      if (manifests.length < batch) return swept + (await this.versions.sweepBucket(bucketId));
    }
  }

  /**
   * Streams bytes [start, end] (inclusive) of a version, reading ahead a few blocks. A
   * multipart object is read across its parts' blocks as one byte sequence. An encrypted
   * version needs its opened `key` (else KeyRequiredError): only the chunks read are opened.
   */
  read(manifest: Manifest, start: number, end: number, key?: OpenKey): Readable {
    if (manifest.encryption && !key) throw new KeyRequiredError('the object is encrypted');
    const open = manifest.encryption ? key : undefined;
    if (manifest.inline) {
      const inline = manifest.inline;
      const plain = (from: number, to: number) =>
        open
          ? openRun(
              open,
              { sealed: inline, n: 0, blockSize: 0, plainBytes: manifest.size },
              from,
              to,
            )
          : inline.subarray(from, to);
      return Readable.from(inlineChunks(plain, start, end), { objectMode: false });
    }
    const segments = segmentsOf(manifest, this.partChunks, start);
    return this.readSegments(segments, start, end, open);
  }

  /**
   * Streams bytes [start, end] (inclusive, counted within the part) of one part of a
   * multipart object, already found (?partNumber): the part list is not read again. An
   * encrypted version's part needs the version's opened `key`.
   */
  readPart(
    part: Pick<ManifestPart, 'versionId' | 'blockSize' | 'partNumber'>,
    start: number,
    end: number,
    key?: OpenKey,
  ) {
    const { versionId, blockSize, partNumber } = part;
    return this.readSegments(
      oneSegment({ versionId, blockSize, offset: 0, size: end + 1, partNumber }),
      start,
      end,
      key,
    );
  }

  private readSegments(
    segments: AsyncIterable<Segment>,
    start: number,
    end: number,
    key?: OpenKey,
  ): Readable {
    const ring = this.ring;
    const readAhead = this.options.inFlightMax;
    const keys = key && partKeys(key);
    async function* blocks() {
      if (end < start) return;
      const window: Array<{ ref: BlockRef; data: Promise<Buffer> }> = [];
      const refs = blockRefs(segments, start, end);
      const fetchBlock = (ref: BlockRef) => fetchIntactBlock(ring, ref, key?.record.chunkBytes);
      for (;;) {
        while (window.length < readAhead) {
          const next = await refs.next();
          if (next.done) break;
          const data = fetchBlock(next.value);
          // Read-ahead blocks may fail after the reader has stopped (an earlier block failed
          // or the client went away): handled here, or they would crash the process.
          data.catch(() => undefined);
          window.push({ ref: next.value, data });
        }
        const head = window.shift();
        if (!head) return;
        const data = await head.data;
        const { ref } = head;
        const from = Math.max(start - ref.offset, 0);
        const to = Math.min(end - ref.offset + 1, ref.bytes);
        if (!keys) {
          yield data.subarray(from, to);
          continue;
        }
        const run = { sealed: data, ...ref, plainBytes: ref.bytes };
        for (const piece of openRunPieces(keys.of(ref), run, from, to)) yield piece;
      }
    }
    return Readable.from(blocks(), { objectMode: false });
  }

  /** Manifests of a bucket in key order, each with its sort key (the key, as UTF-8). */
  async scanItems(bucketId: string, options: { after?: Buffer; prefix?: Buffer; limit: number }) {
    const items = await this.ring.scan(KEYSPACES.manifests, bucketId, options);
    return items.map((item) => ({ sk: item.sk, manifest: decodeManifest(item.value) }));
  }

  /** Manifests of a bucket in key order: the range scan ListObjects is built on. */
  async scan(bucketId: string, options: { after?: Buffer; prefix?: Buffer; limit: number }) {
    const items = await this.ring.scan(KEYSPACES.manifests, bucketId, options);
    return items.map((item) => decodeManifest(item.value));
  }

  /**
   * Writes the manifest over every version the read `current` saw (its context), so they are
   * replaced, and queues their blocks for GC. A concurrent writer's version that this read
   * did not see stays as a sibling; readers resolve it, and the next write collects it.
   * CompleteMultipartUpload commits its manifest here too, with its `precondition` (If-Match,
   * If-None-Match) checked against that read right before the write.
   */
  async commit(
    manifest: Manifest,
    read?: VersionedRead,
    precondition?: Precondition,
    keptParts?: readonly ManifestPart[],
  ): Promise<Manifest> {
    if (manifest.orderId !== undefined) return this.versions.commit(manifest, precondition);
    const { bucketId, key } = manifest;
    const current = read ?? (await this.ring.getVersioned(KEYSPACES.manifests, bucketId, key));
    precondition?.(resolveCurrent(current.values), manifest.size);
    const value = encodeManifest(manifest);
    await this.ring.putVersioned(KEYSPACES.manifests, bucketId, key, value, current.context);
    // Each sibling is decoded once, for the usage observer and for GC.
    const previous = current.values.map(decodeManifest);
    this.observer?.onCommit(bucketId, newestOf(previous, current.values), manifest);
    let kept: Set<string> | undefined;
    for (const old of previous) {
      if (old.versionId === manifest.versionId || old.orderId !== undefined) continue;
      const dead = await this.deadOf(old);
      // Two Completes of one upload share parts: the loser's must not collect the winner's
      // (nor may a later rewrite of the winner, whose parts may be in chunks: read them).
      if (dead.parts && !kept) {
        const parts = keptParts ?? (await allParts(manifest, this.partChunks));
        kept = new Set(parts?.map((part) => part.versionId));
      }
      const parts = dead.parts?.filter((part) => !kept?.has(part.versionId));
      await this.gc.enqueue({ ...dead, parts }, this.clock());
    }
    return manifest;
  }

  /**
   * Commits a multipart object whose parts are `manifest.parts`: a list longer than one
   * chunk is written first as chunk records, and the manifest keeps only their index.
   */
  async commitParts(manifest: Manifest, precondition?: Precondition): Promise<Manifest> {
    const parts = manifest.parts ?? [];
    if (parts.length <= PARTS_PER_CHUNK) return this.commit(manifest, undefined, precondition);
    const { parts: _, ...head } = manifest;
    const partIndex = await writePartChunks(this.ring, manifest.versionId, parts, {
      inFlightMax: this.options.inFlightMax,
    });
    try {
      return await this.commit({ ...head, partIndex }, undefined, precondition, parts);
    } catch (error) {
      // Refused (or failed): nothing references the chunks; the parts stay the upload's.
      const dead = { versionId: manifest.versionId, blockCount: 0, partChunks: partIndex };
      await this.gc.enqueue(dead, this.clock()).catch(() => undefined);
      throw error;
    }
  }

  /** What a replaced or deleted version leaves for GC: its blocks, parts and chunk records. */
  async deadOf(old: Manifest): Promise<DeadBlocks> {
    const { versionId, blockCount, partIndex } = old;
    // A sibling of a version already replaced may find its chunks collected: its parts
    // were queued then; its chunk records are queued again (removing is idempotent).
    const parts = await allParts(old, this.partChunks).catch(() => undefined);
    return { versionId, blockCount, parts, ...(partIndex ? { partChunks: partIndex } : {}) };
  }
}

function withTags(tags: Tag[]) {
  return ({ tags: _old, ...rest }: Manifest): Manifest =>
    tags.length > 0 ? { ...rest, tags } : rest;
}

/** Bytes [start, end] (inclusive) of an inline object, as one chunk (none when empty). */
function* inlineChunks(
  plain: (from: number, to: number) => Buffer,
  start: number,
  end: number,
): Generator<Buffer> {
  if (end >= start) yield plain(start, end + 1);
}

/** The version readers see among the siblings of a read, if any; a delete marker is none. */
function resolveCurrent(values: Buffer[]): Manifest | undefined {
  const current = newestOf(values.map(decodeManifest), values);
  return current?.deleteMarker ? undefined : current;
}

/** The newest of decoded siblings, if any. */
function newestOf(manifests: Manifest[], values: Buffer[]): Manifest | undefined {
  return manifests.length === 0 ? undefined : manifests[newestIndex(manifests, values)];
}

/** A run of blocks that holds bytes [offset, offset + size) of an object. */
interface Segment {
  versionId: string;
  blockSize: number;
  offset: number;
  size: number;
  /** The part's number, for a part of a multipart object (its sealing key depends on it). */
  partNumber?: number;
}

/** One block of a read, the object offset of its first byte and its (plain) bytes. */
interface BlockRef {
  versionId: string;
  n: number;
  offset: number;
  blockSize: number;
  bytes: number;
  partNumber: number | undefined;
}

/**
 * The key each block of a read opens with: the version's own for a single PUT, the part's
 * (derived once per part, not per block) for a multipart object.
 */
function partKeys(key: OpenKey) {
  let last: { versionId: string; key: OpenKey } | undefined;
  return {
    of(ref: Pick<BlockRef, 'versionId' | 'partNumber'>): OpenKey {
      if (ref.partNumber === undefined) return key;
      if (last?.versionId !== ref.versionId) {
        last = { versionId: ref.versionId, key: partKey(key, ref.partNumber, ref.versionId) };
      }
      return last.key;
    },
  };
}

/** The segments of a read from byte `start` on: one, or the parts from its chunk on. */
async function* segmentsOf(
  manifest: Manifest,
  read: PartChunkReader,
  start: number,
): AsyncGenerator<Segment> {
  if (!manifest.parts && !manifest.partIndex) {
    const { versionId, blockSize, size } = manifest;
    yield { versionId, blockSize, offset: 0, size };
    return;
  }
  for await (const { part, offset } of partsFromOffset(manifest, read, start)) {
    const { versionId, blockSize, size, partNumber } = part;
    yield { versionId, blockSize, offset, size, partNumber };
  }
}

async function* oneSegment(segment: Segment): AsyncGenerator<Segment> {
  yield segment;
}

/** The blocks that hold bytes [start, end], in order; skips the segments before start. */
async function* blockRefs(
  segments: AsyncIterable<Segment>,
  start: number,
  end: number,
): AsyncGenerator<BlockRef> {
  for await (const segment of segments) {
    if (segment.offset > end) return;
    if (segment.size === 0 || segment.offset + segment.size <= start) continue;
    const first = Math.floor(Math.max(start - segment.offset, 0) / segment.blockSize);
    const last = Math.floor(Math.min(end - segment.offset, segment.size - 1) / segment.blockSize);
    const { versionId, blockSize, partNumber } = segment;
    for (let n = first; n <= last; n++) {
      const bytes = Math.min(blockSize, segment.size - n * blockSize);
      const offset = segment.offset + n * blockSize;
      yield { versionId, n, offset, blockSize, bytes, partNumber };
    }
  }
}
